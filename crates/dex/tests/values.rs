//! Intra-method constant tracking over builder-made methods.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use apkscope_dex::Dex;
use apkscope_dex::values::{Call, Frame, MethodShape, Origin, Tracker, Value, ValueVisitor};
use apkscope_testkit::dex::{
    ClassSpec, DexBuilder, FieldRef, Insn, MethodRef, MethodSpec, Ref, op,
};

const INTENT: &str = "Landroid/content/Intent;";
const STRING: &str = "Ljava/lang/String;";
const STRINGS: &str = "[Ljava/lang/String;";

/// What the visitor saw: each call's method name and its arguments rendered.
#[derive(Default)]
struct Seen {
    calls: Vec<(String, Vec<String>)>,
    returns: Vec<String>,
    static_puts: Vec<String>,
}

struct Recorder<'d, 'a> {
    dex: &'d Dex<'a>,
    seen: Seen,
}

impl Recorder<'_, '_> {
    fn render(&self, value: Value, frame: &Frame) -> String {
        match value {
            Value::Unknown => "?".into(),
            Value::Int(n) => n.to_string(),
            Value::Str(s) => format!("{:?}", self.dex.string(s).unwrap_or_default()),
            Value::Class(t) => format!("class {}", self.dex.type_descriptor(t).unwrap_or_default()),
            Value::Array(id) => {
                let a = frame.array(id).unwrap();
                let items: Vec<String> =
                    a.elements.iter().map(|&v| self.render(v, frame)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Object { type_idx, site } => format!(
                "new {}@{site}",
                self.dex.type_descriptor(type_idx).unwrap_or_default()
            ),
            Value::Derived { origin, last_call } => {
                let origin = match origin {
                    Origin::Param(n) => format!("param {n}"),
                    Origin::Call(m) => format!("call {}", self.name(m)),
                    Origin::Field(f) | Origin::StaticField(f) => {
                        let f = self.dex.field_ref(f).unwrap();
                        format!("field {}", self.dex.string(f.name_idx).unwrap())
                    }
                    Origin::Other => "other".into(),
                };
                match last_call {
                    Some(m) => format!("({origin} via {})", self.name(m)),
                    None => format!("({origin})"),
                }
            }
        }
    }

    fn name(&self, method: u32) -> String {
        let m = self.dex.method_ref(method).unwrap();
        self.dex.string(m.name_idx).unwrap().into_owned()
    }
}

impl ValueVisitor for Recorder<'_, '_> {
    fn invoke(&mut self, call: &Call<'_>) {
        let args = call
            .args
            .iter()
            .map(|&v| self.render(v, call.frame))
            .collect();
        let name = self.name(call.method_idx);
        self.seen.calls.push((name, args));
    }

    fn returns(&mut self, _pc: u32, value: Value, frame: &Frame) {
        let r = self.render(value, frame);
        self.seen.returns.push(r);
    }

    fn static_put(&mut self, _pc: u32, _field: u32, value: Value, frame: &Frame) {
        let r = self.render(value, frame);
        self.seen.static_puts.push(r);
    }
}

fn lit4(reg: u16, value: i16) -> Insn {
    Insn::raw(&[0x12 | (reg << 8) | ((value.cast_unsigned() & 0xf) << 12)])
}

fn new_array(a: u16, size_reg: u16, descriptor: &str) -> Insn {
    Insn {
        units: vec![0x23 | (a << 8) | (size_reg << 12), 0],
        reference: Ref::Type(descriptor.into()),
        wide_index: false,
    }
}

fn aput_object(value: u16, array: u16, index: u16) -> Insn {
    Insn::raw(&[0x4d | (value << 8), array | (index << 8)])
}

fn move_result_object(reg: u16) -> Insn {
    Insn::raw(&[0x0c | (reg << 8)])
}

/// Tracks every method of class `LT;` in the dex and returns what the visitor saw.
fn track(method: MethodSpec) -> Seen {
    let bytes = DexBuilder::new()
        .class(ClassSpec::new("LT;").virtual_method(method))
        .build();
    let dex = apkscope_dex::parse(&bytes).unwrap();
    let mut recorder = Recorder {
        dex: &dex,
        seen: Seen::default(),
    };
    let mut tracker = Tracker::new();
    for class in dex.classes() {
        for m in class.methods() {
            let code = dex.code(m).unwrap();
            let shape = MethodShape {
                method_idx: m.method_idx,
                is_static: m.access_flags & 0x8 != 0,
            };
            tracker.track(&dex, &code, shape, &mut recorder);
        }
    }
    recorder.seen
}

#[test]
fn rebuilds_an_intent_and_a_permission_array() {
    let set_package = MethodRef::new(INTENT, "setPackage", INTENT, &[STRING]);
    let request = MethodRef::new("LT;", "requestPermissions", "V", &[STRINGS, "I"]);
    let start = MethodRef::new(
        "LT;",
        "startService",
        "Landroid/content/ComponentName;",
        &[INTENT],
    );
    let seen = track(MethodSpec::new("run", "V", &[]).code(
        6,
        1,
        3,
        vec![
            Insn::type_op(op::NEW_INSTANCE, 0, INTENT),
            Insn::invoke(
                op::INVOKE_DIRECT,
                &[0],
                MethodRef::new(INTENT, "<init>", "V", &[]),
            ),
            Insn::const_string(1, "com.other.app"),
            Insn::invoke(op::INVOKE_VIRTUAL, &[0, 1], set_package),
            move_result_object(0),
            lit4(2, 2),
            new_array(2, 2, STRINGS),
            lit4(3, 0),
            Insn::const_string(4, "android.permission.CAMERA"),
            aput_object(4, 2, 3),
            lit4(3, 1),
            Insn::const_string(4, "android.permission.READ_CONTACTS"),
            aput_object(4, 2, 3),
            lit4(3, 7),
            Insn::invoke(op::INVOKE_VIRTUAL, &[5, 2, 3], request),
            Insn::invoke(op::INVOKE_VIRTUAL, &[5, 0], start),
            Insn::return_void(),
        ],
    ));
    let calls: Vec<String> = seen
        .calls
        .iter()
        .map(|(name, args)| format!("{name}({})", args.join(", ")))
        .collect();
    assert_eq!(
        calls,
        [
            "<init>(new Landroid/content/Intent;@0)",
            "setPackage(new Landroid/content/Intent;@0, \"com.other.app\")",
            "requestPermissions((param 0), [\"android.permission.CAMERA\", \"android.permission.READ_CONTACTS\"], 7)",
            // setPackage returned its receiver: the same Intent reaches startService.
            "startService((param 0), new Landroid/content/Intent;@0)",
        ]
    );
}

#[test]
fn filled_arrays_static_stores_returns_and_derived_values() {
    let list = MethodRef::new(
        "Landroid/content/pm/PackageManager;",
        "getInstalledPackages",
        "Ljava/util/List;",
        &["I"],
    );
    let get = MethodRef::new("Ljava/util/List;", "get", "Ljava/lang/Object;", &["I"]);
    let name_field = FieldRef::new("Landroid/content/pm/PackageInfo;", "packageName", STRING);
    let use_it = MethodRef::new("LT;", "use", "V", &[STRING, STRINGS]);
    let perms = FieldRef::new("LT;", "PERMS", STRINGS);
    let seen = track(
        MethodSpec::new("run", "I", &["Landroid/content/pm/PackageManager;"]).code(
            8,
            2,
            3,
            vec![
                lit4(0, 0),
                Insn::invoke(op::INVOKE_VIRTUAL, &[7, 0], list),
                move_result_object(1),
                Insn::invoke(op::INVOKE_INTERFACE, &[1, 0], get),
                move_result_object(1),
                Insn::type_op(op::CHECK_CAST, 1, "Landroid/content/pm/PackageInfo;"),
                Insn::ifield(0x54, 2, 1, name_field),
                Insn::const_string(3, "a"),
                Insn::const_string(4, "b"),
                Insn {
                    units: vec![0x24 | (2 << 12), 0, 3 | (4 << 4)],
                    reference: Ref::Type(STRINGS.into()),
                    wide_index: false,
                },
                move_result_object(5),
                Insn::sfield(op::SPUT_OBJECT, 5, perms),
                Insn::invoke(op::INVOKE_VIRTUAL, &[6, 2, 5], use_it),
                lit4(0, 1),
                Insn::raw(&[0x0f]),
            ],
        ),
    );
    let (name, args) = seen.calls.last().unwrap();
    assert_eq!(name, "use");
    assert_eq!(
        args,
        &[
            "(param 0)".to_owned(),
            "(call getInstalledPackages via get)".to_owned(),
            "[\"a\", \"b\"]".to_owned(),
        ]
    );
    assert_eq!(seen.static_puts, ["[\"a\", \"b\"]"]);
    assert_eq!(seen.returns, ["1"]);
}

#[test]
fn hostile_registers_and_operands_never_panic() {
    // Registers past registers_size, a `/range` invoke of 255 registers, truncated operands.
    let m = MethodRef::new("LT;", "f", "V", &["J", "D", STRING]);
    let seen = track(MethodSpec::new("run", "V", &[]).code(
        2,
        1,
        255,
        vec![
            Insn::raw(&[0x0c | (200 << 8)]),
            Insn::raw(&[0x07 | (0xf << 8) | (0xf << 12)]),
            Insn::invoke_range(op::INVOKE_STATIC, 60000, 255, m),
            Insn::raw(&[0x4d | (250 << 8), 0xffff]),
            Insn::raw(&[0x23 | (0xf << 8) | (0xf << 12), 0]),
            Insn::return_void(),
        ],
    ));
    assert_eq!(seen.calls.len(), 1);
    assert_eq!(seen.calls[0].1, ["?", "?", "?"]);
}

#[test]
fn follows_control_flow_and_joins_at_branches() {
    let use_it = MethodRef::new("LT;", "use", "V", &[STRING, STRING]);
    // v0 = "a" or "b" by branch (unknown after the join); v1 = "kept" on both paths; a loop
    // back-edge that rewrites v2 after the call does not reach the call's first pass.
    let seen = track(MethodSpec::new("run", "V", &["I"]).code(
        4,
        2,
        3,
        vec![
            Insn::const_string(1, "kept"),
            // if-eqz p1 (v3), +5 → the "b" branch
            Insn::raw(&[0x38 | (3 << 8), 5]),
            Insn::const_string(0, "a"),
            // goto +3 → the join
            Insn::raw(&[0x28 | (3 << 8)]),
            Insn::const_string(0, "b"),
            Insn::invoke(op::INVOKE_VIRTUAL, &[2, 0, 1], use_it),
            Insn::return_void(),
        ],
    ));
    let (name, args) = seen.calls.last().unwrap();
    assert_eq!(name, "use");
    assert_eq!(args, &["(param 0)", "?", "\"kept\""]);
}
