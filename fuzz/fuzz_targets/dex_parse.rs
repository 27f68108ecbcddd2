//! Fuzz target: parse a dex, then touch every class, method, string,
//! instruction and reference the API exposes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
