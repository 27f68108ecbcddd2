//! The class list of `apkscope classes`: one record per class definition.

use std::io::{self, Write};

use apkscope_facts::CodeIndex;
use apkscope_facts::code::ClassId;
use serde_json::json;

/// `ACC_INTERFACE`.
const ACC_INTERFACE: u32 = 0x200;
/// `ACC_ABSTRACT`.
const ACC_ABSTRACT: u32 = 0x400;

/// Writes every class definition as a JSON array, one object per class, streamed so a large app
/// never holds the whole document in memory. Fields: `descriptor`, `dex`, `superclass`,
/// `interfaces`, `access_flags`, `source_file`, `direct_methods`, `virtual_methods`.
pub fn write_classes_json(index: &CodeIndex, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(b"[")?;
    let mut first = true;
    for id in index.classes() {
        let Some(record) = class_json(index, id) else {
            continue;
        };
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        serde_json::to_writer(&mut *out, &record)?;
    }
    out.write_all(if first { b"]\n" } else { b"\n]\n" })
}

/// Writes one line per class: dex, descriptor, method counts, superclass.
pub fn write_classes_text(index: &CodeIndex, out: &mut dyn Write) -> io::Result<()> {
    for id in index.classes() {
        let (Some(dex), Some(class), Some(descriptor)) = (
            index.dex_of(id.dex),
            index.class_record(id),
            index.class_descriptor(id),
        ) else {
            continue;
        };
        let kind = if class.access_flags & ACC_INTERFACE != 0 {
            "interface"
        } else if class.access_flags & ACC_ABSTRACT != 0 {
            "abstract"
        } else {
            "class"
        };
        let superclass = class
            .superclass
            .and_then(|t| dex.type_descriptor(t))
            .unwrap_or("-");
        writeln!(
            out,
            "{}\t{}\t{kind}\tdirect={}\tvirtual={}\textends {superclass}",
            dex.entry, descriptor, class.direct_methods, class.virtual_methods
        )?;
    }
    Ok(())
}

fn class_json(index: &CodeIndex, id: ClassId) -> Option<serde_json::Value> {
    let dex = index.dex_of(id.dex)?;
    let class = index.class_record(id)?;
    let start = usize::try_from(class.interfaces_start).ok()?;
    let end = start.checked_add(usize::try_from(class.interfaces_len).ok()?)?;
    let interfaces: Vec<&str> = dex
        .class_interfaces
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .filter_map(|&t| dex.type_descriptor(t))
        .collect();
    Some(json!({
        "descriptor": index.class_descriptor(id)?,
        "dex": dex.entry,
        "superclass": class.superclass.and_then(|t| dex.type_descriptor(t)),
        "interfaces": interfaces,
        "access_flags": class.access_flags,
        "source_file": class.source_file.and_then(|s| dex.string(s)),
        "direct_methods": class.direct_methods,
        "virtual_methods": class.virtual_methods,
    }))
}
