//! Fuzz target: parse a dex, then touch every class, method, string,
//! instruction and reference the API exposes, and track every method's
//! register values (control flow, switch payloads, arrays).
#![no_main]

use apkscope_dex::values::{Call, MethodShape, Tracker, ValueVisitor};
use libfuzzer_sys::fuzz_target;

/// Looks at every call's arguments and arrays.
struct Touch;

impl ValueVisitor for Touch {
    fn invoke(&mut self, call: &Call<'_>) {
        for a in call.args {
            if let apkscope_dex::values::Value::Array(id) = a {
                let _ = call.frame.array(*id);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut tracker = Tracker::new();
    let Ok(dex) = apkscope_dex::parse(data) else { return };
    let _ = dex.anomalies();
    let _ = (dex.layout(), dex.string_data_in_id_order());
    for i in 0..dex.strings_len().min(4096) {
        let _ = dex.string(i);
    }
    let _ = dex.find_string("Ljava/lang/Object;");
    let _ = dex.find_type("Ljava/lang/Object;");
    for class in dex.classes() {
        let _ = dex.type_descriptor(class.class_idx);
        let _ = class.interfaces.to_vec();
        for value in dex.static_values(&class) {
            if let apkscope_dex::StaticValue::Str(i) = value {
                let _ = dex.string(i);
            }
        }
        for f in class.static_fields.iter().chain(&class.instance_fields) {
            let _ = dex.field_ref_string(f.field_idx);
        }
        for m in class.methods() {
            let _ = dex.method_ref_string(m.method_idx);
            let Some(code) = dex.code(m) else { continue };
            let mut insns = code.instructions();
            for insn in insns.by_ref() {
                let _ = (insn.info(), insn.reference(), insn.unit(3));
            }
            let _ = insns.anomalies(&code);
            let shape = MethodShape {
                method_idx: m.method_idx,
                is_static: m.access_flags & 0x8 != 0,
            };
            tracker.track(&dex, &code, shape, &mut Touch);
            let refs = dex.references(&code);
            for (_, r) in refs.refs {
                match r {
                    apkscope_dex::Reference::Method { method_idx, .. } => {
                        let _ = dex.method_ref_string(method_idx);
                    }
                    apkscope_dex::Reference::String(i) => {
                        let _ = dex.string(i);
                    }
                    _ => {}
                }
            }
        }
    }
});
