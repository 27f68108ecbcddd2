//! SDK versions read while the code is indexed: the constant a rule's `field` source names
//! (its initial value in the class's static values, or the string its class initialiser
//! stores) and the string constants a `method` source loads. The bytecode is dropped once a dex
//! is indexed, so this runs then; a class is looked at only when a source names it (one hash
//! lookup per class). Which field or method, and how the version is cut out of the text, is
//! rule data (`[[sdk]] versions`); sources over names (`string_prefix`, `native_lib`) are read
//! from the index afterwards (`analyze::sdks`).

use std::collections::HashMap;

use apkscope_dex::values::{Frame, MethodShape, Tracker, Value, ValueVisitor};
use apkscope_dex::{ClassDef, Dex, Reference, StaticValue};
use apkscope_facts::code::DexCode;
use apkscope_rules::{CompiledPack, VersionLocation};

/// Most version texts kept per dex: a hostile dex naming a source's class many times cannot
/// grow the list without bound.
const MAX_TEXTS_PER_DEX: usize = 256;
const CLINIT: &str = "<clinit>";
const ACC_STATIC: u32 = 0x8;

/// The pack's `field` and `method` version sources, built once per scan.
#[derive(Debug, Default)]
pub(crate) struct VersionMembers {
    /// (position in the pack's version sources, member signature, whether it is a field).
    members: Vec<(u32, String, bool)>,
}

impl VersionMembers {
    pub(crate) fn new(pack: &CompiledPack) -> Self {
        let members = pack
            .version_probes()
            .iter()
            .enumerate()
            .filter_map(|(i, (_, probe))| {
                let position = u32::try_from(i).ok()?;
                match &probe.location {
                    VersionLocation::Field(f) => Some((position, f.clone(), true)),
                    VersionLocation::Method(m) => Some((position, m.clone(), false)),
                    _ => None,
                }
            })
            .collect();
        Self { members }
    }
}

/// What one source asks of a class of this dex.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// The field with this field id.
    Field { position: u32, field: u32 },
    /// The method with this method id (the string constants it loads).
    Method { position: u32, method: u32 },
}

/// The sources resolved against one dex's tables, by the type id of the class they read.
#[derive(Debug, Default)]
pub(crate) struct DexVersionTargets {
    by_class: HashMap<u32, Vec<Target>>,
}

impl DexVersionTargets {
    /// Resolves `members` in `code` (whose tables are decoded): a few binary searches each.
    pub(crate) fn new(code: &DexCode, members: &VersionMembers) -> Self {
        let mut by_class: HashMap<u32, Vec<Target>> = HashMap::new();
        for (position, signature, is_field) in &members.members {
            let position = *position;
            // The reference names its class: the type id the class definition carries.
            let resolved = if *is_field {
                code.find_field_ref(signature).and_then(|field| {
                    let class = code.field_refs.get(usize::try_from(field).ok()?)?.class;
                    Some((class, Target::Field { position, field }))
                })
            } else {
                code.find_method_ref(signature).and_then(|method| {
                    let class = code.method_refs.get(usize::try_from(method).ok()?)?.class;
                    Some((class, Target::Method { position, method }))
                })
            };
            if let Some((class, target)) = resolved {
                by_class.entry(class).or_default().push(target);
            }
        }
        Self { by_class }
    }

    /// Reads the sources that name `class`, appending what they find to `code.version_texts`.
    pub(crate) fn read_class(
        &self,
        dex: &Dex<'_>,
        class: &ClassDef<'_>,
        code: &mut DexCode,
        tracker: &mut Tracker,
    ) {
        let Some(targets) = self.by_class.get(&class.class_idx) else {
            return;
        };
        let mut found: Vec<(u32, u32)> = Vec::new();
        let statics = dex.static_values(class);
        for target in targets {
            match *target {
                Target::Field { position, field } => {
                    // A `static final` constant is in the class's static values.
                    let initial = class
                        .static_fields
                        .iter()
                        .position(|f| f.field_idx == field)
                        .and_then(|i| statics.get(i));
                    if let Some(StaticValue::Str(s)) = initial {
                        found.push((position, *s));
                    }
                    // Otherwise the class initialiser stores it.
                    let clinit = class.direct_methods.iter().find(|m| {
                        dex.method_ref(m.method_idx)
                            .and_then(|r| dex.string_bytes(r.name_idx))
                            == Some(CLINIT.as_bytes())
                    });
                    if let Some(method) = clinit {
                        let mut visitor = Constants {
                            field,
                            strings: Vec::new(),
                        };
                        track(dex, method, tracker, &mut visitor);
                        found.extend(visitor.strings.into_iter().map(|s| (position, s)));
                    }
                }
                Target::Method { position, method } => {
                    let Some(m) = class.methods().find(|m| m.method_idx == method) else {
                        continue;
                    };
                    // Every constant string it loads: a version returned on one branch of
                    // several (`"5.6.7"`, or `"5.6.7.0"` for a variant build) is not one value
                    // at the return, and the source's pattern picks the right one.
                    let Some(body) = dex.code(m) else { continue };
                    found.extend(body.references().filter_map(|(_, r)| match r {
                        Reference::String(s) => Some((position, s)),
                        _ => None,
                    }));
                }
            }
        }
        for (position, string) in found {
            if code.version_texts.len() >= MAX_TEXTS_PER_DEX {
                break;
            }
            if let Some(text) = dex.string(string) {
                code.version_texts.push((position, text.into_owned()));
            }
        }
    }
}

fn track(
    dex: &Dex<'_>,
    method: &apkscope_dex::EncodedMethod,
    tracker: &mut Tracker,
    visitor: &mut Constants,
) {
    let Some(body) = dex.code(method) else {
        return;
    };
    let shape = MethodShape {
        method_idx: method.method_idx,
        is_static: method.access_flags & ACC_STATIC != 0,
    };
    tracker.track(dex, &body, shape, visitor);
}

/// Collects the string constants a class initialiser stores in `field`.
struct Constants {
    field: u32,
    strings: Vec<u32>,
}

impl ValueVisitor for Constants {
    fn static_put(&mut self, _pc: u32, field_idx: u32, value: Value, _frame: &Frame) {
        if let Value::Str(s) = value
            && field_idx == self.field
        {
            self.strings.push(s);
        }
    }
}
