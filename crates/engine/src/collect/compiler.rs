//! Which tool wrote a dex file, from what its bytes show.
//!
//! Three kinds of evidence, strongest first:
//! - a marker string: D8, R8 and L8 put `~~D8{"min-api":…,"version":…}` (or `~~R8{`, `~~L8{`)
//!   in the string table; Jack puts `emitter: jack-X.Y` in an annotation;
//! - the string data order: dexlib 1.x (old smali/apktool) writes string data grouped by class,
//!   not in string-id order as every other writer does;
//! - the section layout (the map list's item types in file order): each writer emits the data
//!   sections in its own fixed order, and only omits the sections it has nothing for, so the
//!   relative order of the sections present tells the writer apart.
//!
//! A rebuild keeps the strings it read, so a dexlib2 layout wins over a marker: the marker then
//! names the original build.

use apkscope_facts::DexFacts;
use apkscope_facts::code::DexCode;

/// Map item type codes (dex format).
mod ty {
    pub(super) const MAP_LIST: u16 = 0x1000;
    pub(super) const TYPE_LIST: u16 = 0x1001;
    pub(super) const ANNOTATION_SET_REF_LIST: u16 = 0x1002;
    pub(super) const ANNOTATION_SET: u16 = 0x1003;
    pub(super) const CLASS_DATA: u16 = 0x2000;
    pub(super) const CODE: u16 = 0x2001;
    pub(super) const STRING_DATA: u16 = 0x2002;
    pub(super) const DEBUG_INFO: u16 = 0x2003;
    pub(super) const ANNOTATION: u16 = 0x2004;
    pub(super) const ENCODED_ARRAY: u16 = 0x2005;
    pub(super) const ANNOTATIONS_DIRECTORY: u16 = 0x2006;
    /// Items at or below this code are id sections (header, ids, class defs, call sites, method
    /// handles), which every writer puts first in the same order.
    pub(super) const LAST_ID_SECTION: u16 = 0x0008;
    /// ART's hidden-API flags, appended by the platform build after the compiler ran.
    pub(super) const HIDDENAPI: u16 = 0xF000;
}

/// dx (`DexFile.toDex0`): word-aligned data (annotation set ref lists, annotation sets, code,
/// annotation directories), type lists, string data, byte data (debug info, annotations,
/// encoded arrays), class data, then the map. Jack and dx's merger inputs share it.
const DX_ORDER: &[u16] = &[
    ty::ANNOTATION_SET_REF_LIST,
    ty::ANNOTATION_SET,
    ty::CODE,
    ty::ANNOTATIONS_DIRECTORY,
    ty::TYPE_LIST,
    ty::STRING_DATA,
    ty::DEBUG_INFO,
    ty::ANNOTATION,
    ty::ENCODED_ARRAY,
    ty::CLASS_DATA,
    ty::MAP_LIST,
];

/// D8 and R8 (`FileWriter`): code first, the map last, class data before the annotation sets.
const D8_ORDER: &[u16] = &[
    ty::CODE,
    ty::DEBUG_INFO,
    ty::TYPE_LIST,
    ty::STRING_DATA,
    ty::ANNOTATION,
    ty::CLASS_DATA,
    ty::ENCODED_ARRAY,
    ty::ANNOTATION_SET,
    ty::ANNOTATION_SET_REF_LIST,
    ty::ANNOTATIONS_DIRECTORY,
    ty::MAP_LIST,
];

/// Longest marker kept as evidence (a marker is ~200 bytes; a hostile one could be any length).
const MAX_MARKER_LEN: usize = 300;

/// What [`detect`] found, to copy into [`DexFacts`].
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Compiler {
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) min_api: Option<u32>,
    pub(crate) evidence: Vec<String>,
}

impl Compiler {
    pub(crate) fn fill(self, facts: &mut DexFacts) {
        facts.compiler = self.name;
        facts.compiler_version = self.version;
        facts.min_api = self.min_api;
        facts.compiler_evidence = self.evidence;
    }
}

/// A writer family recognised from the layout alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Dx,
    DexMerge,
    D8,
    Dexlib2,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::Dx => "dx",
            Family::DexMerge => "dexmerge",
            Family::D8 => "d8/r8",
            Family::Dexlib2 => "dexlib2",
        }
    }
}

/// Detects the compiler of one dex from its section `layout` (map item types in file order),
/// whether its string data lies in id order, and its strings.
pub(crate) fn detect(layout: &[u16], string_data_in_id_order: bool, code: &DexCode) -> Compiler {
    let markers = markers(code);
    let jack = jack_emitter(code);
    detect_from(layout, string_data_in_id_order, &markers, jack.as_deref())
}

/// The D8/R8/L8 markers among the strings (sorted tables put them near the end; `~` sorts after
/// every ASCII letter).
fn markers(code: &DexCode) -> Vec<String> {
    code.strings_with_prefix("~~")
        .into_iter()
        .filter_map(|i| code.string(i))
        .filter(|s| ["~~D8{", "~~R8{", "~~L8{"].iter().any(|p| s.starts_with(p)))
        .map(|s| truncate(s, MAX_MARKER_LEN))
        .collect()
}

/// Jack's `emitter: jack-X.Y` annotation value.
fn jack_emitter(code: &DexCode) -> Option<String> {
    code.strings_with_prefix("emitter: jack-")
        .first()
        .and_then(|&i| code.string(i))
        .map(|s| truncate(s, 64))
}

fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or_default().to_owned()
}

fn detect_from(
    layout: &[u16],
    string_data_in_id_order: bool,
    markers: &[String],
    jack: Option<&str>,
) -> Compiler {
    let mut out = Compiler::default();
    let fits = layout_families(layout);
    let family = match fits.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let data = data_sections(layout);
    if !data.is_empty() {
        let names: Vec<&str> = fits.iter().map(|f| f.name()).collect();
        out.evidence.push(format!(
            "layout: {} ({})",
            data.iter()
                .map(|&t| section_name(t))
                .collect::<Vec<_>>()
                .join(" "),
            match names.as_slice() {
                [] => "no known writer's order".to_owned(),
                [one] => format!("{one} order"),
                many => format!("fits {} alike", many.join(" and ")),
            }
        ));
    }
    let marker = markers.first().map(|m| parse_marker(m));
    for m in markers {
        out.evidence.push(format!("marker {m}"));
    }
    if !string_data_in_id_order {
        out.evidence
            .push("string data not in string-id order (dexlib 1.x writes it by class)".to_owned());
        out.name = Some("dexlib1".to_owned());
        return out;
    }
    if family == Some(Family::Dexlib2) {
        if marker.is_some() {
            out.evidence
                .push("rewritten by dexlib2: the marker names the original build".to_owned());
        }
        out.name = Some("dexlib2".to_owned());
        return out;
    }
    if let Some((tool, version, min_api)) = marker {
        if family == Some(Family::DexMerge) {
            out.evidence
                .push("merged by dx's dexmerge after the marked build".to_owned());
        }
        out.name = Some(tool);
        out.version = version;
        out.min_api = min_api;
        return out;
    }
    if let Some(emitter) = jack {
        out.evidence.push(format!("annotation \"{emitter}\""));
        out.name = Some("jack".to_owned());
        out.version = emitter
            .strip_prefix("emitter: jack-")
            .map(ToOwned::to_owned);
        return out;
    }
    out.name = family.map(|f| f.name().to_owned());
    if family == Some(Family::D8) {
        out.evidence.push(
            "no D8/R8 marker: stripped, or the marker went to another dex of the build".to_owned(),
        );
    }
    out
}

/// The data sections in file order: id sections and ART's hidden-API section left out.
fn data_sections(layout: &[u16]) -> Vec<u16> {
    layout
        .iter()
        .copied()
        .filter(|&t| t > ty::LAST_ID_SECTION && t != ty::HIDDENAPI)
        .collect()
}

/// The writers whose order the layout follows (one, several for a tiny dex, or none).
fn layout_families(layout: &[u16]) -> Vec<Family> {
    let data = data_sections(layout);
    let Some((&first, rest)) = data.split_first() else {
        return Vec::new();
    };
    if first == ty::MAP_LIST && !rest.is_empty() {
        return vec![Family::DexMerge];
    }
    // dexlib2 writes the string data first and the type lists right after; the order of the
    // rest changed between versions.
    let dexlib2 = first == ty::STRING_DATA
        && data.contains(&ty::CODE)
        && rest
            .first()
            .is_none_or(|&t| t == ty::TYPE_LIST || !data.contains(&ty::TYPE_LIST));
    [
        (Family::Dx, follows(&data, DX_ORDER)),
        (Family::D8, follows(&data, D8_ORDER)),
        (Family::Dexlib2, dexlib2),
    ]
    .into_iter()
    .filter_map(|(f, fits)| fits.then_some(f))
    .collect()
}

/// Whether every section of `data` appears in `order`, in that relative order.
fn follows(data: &[u16], order: &[u16]) -> bool {
    let mut last = None;
    for t in data {
        let Some(rank) = order.iter().position(|o| o == t) else {
            return false;
        };
        if last.is_some_and(|l| rank <= l) {
            return false;
        }
        last = Some(rank);
    }
    true
}

fn section_name(t: u16) -> String {
    match t {
        ty::MAP_LIST => "map".to_owned(),
        ty::TYPE_LIST => "type_list".to_owned(),
        ty::ANNOTATION_SET_REF_LIST => "annotation_set_ref_list".to_owned(),
        ty::ANNOTATION_SET => "annotation_set".to_owned(),
        ty::CLASS_DATA => "class_data".to_owned(),
        ty::CODE => "code".to_owned(),
        ty::STRING_DATA => "string_data".to_owned(),
        ty::DEBUG_INFO => "debug_info".to_owned(),
        ty::ANNOTATION => "annotation".to_owned(),
        ty::ENCODED_ARRAY => "encoded_array".to_owned(),
        ty::ANNOTATIONS_DIRECTORY => "annotations_directory".to_owned(),
        other => format!("{other:#06x}"),
    }
}

/// `~~D8{"compilation-mode":"release","min-api":19,"version":"1.3.54"}` → (`d8`, version,
/// min-api). The marker is JSON, but only flat string and number values matter here.
fn parse_marker(marker: &str) -> (String, Option<String>, Option<u32>) {
    let tool = marker.get(2..4).unwrap_or("d8").to_ascii_lowercase();
    let version = json_value(marker, "version").map(|v| v.trim_matches('"').to_owned());
    let min_api = json_value(marker, "min-api").and_then(|v| v.parse().ok());
    (tool, version, min_api)
}

/// The raw value of `"key":` in a flat JSON object (quoted for strings).
fn json_value<'m>(json: &'m str, key: &str) -> Option<&'m str> {
    let needle = format!("\"{key}\":");
    let start = json.find(&needle)? + needle.len();
    let rest = json.get(start..)?;
    let end = if rest.starts_with('"') {
        rest.get(1..)?.find('"')? + 2
    } else {
        rest.find([',', '}']).unwrap_or(rest.len())
    };
    rest.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &[u16] = &[0, 1, 2, 3, 4, 5, 6];

    fn layout(data: &[u16]) -> Vec<u16> {
        IDS.iter().chain(data).copied().collect()
    }

    fn name(data: &[u16], markers: &[&str], jack: Option<&str>) -> Option<String> {
        let markers: Vec<String> = markers.iter().map(|m| (*m).to_owned()).collect();
        detect_from(&layout(data), true, &markers, jack).name
    }

    #[test]
    fn layouts_of_each_writer() {
        use ty::*;
        // Layouts read from real files of the shared corpus.
        let dx = [
            ANNOTATION_SET,
            CODE,
            ANNOTATIONS_DIRECTORY,
            TYPE_LIST,
            STRING_DATA,
            DEBUG_INFO,
            ANNOTATION,
            ENCODED_ARRAY,
            CLASS_DATA,
            MAP_LIST,
        ];
        let dx_small = [
            CODE,
            TYPE_LIST,
            STRING_DATA,
            DEBUG_INFO,
            CLASS_DATA,
            MAP_LIST,
        ];
        let dx_no_type_list = [
            ANNOTATION_SET,
            CODE,
            ANNOTATIONS_DIRECTORY,
            STRING_DATA,
            DEBUG_INFO,
            ANNOTATION,
            ENCODED_ARRAY,
            CLASS_DATA,
            MAP_LIST,
        ];
        let merged = [
            MAP_LIST,
            TYPE_LIST,
            ANNOTATION_SET,
            CLASS_DATA,
            CODE,
            STRING_DATA,
            DEBUG_INFO,
            ANNOTATION,
            ENCODED_ARRAY,
            ANNOTATIONS_DIRECTORY,
        ];
        let d8 = [
            CODE,
            DEBUG_INFO,
            TYPE_LIST,
            STRING_DATA,
            ANNOTATION,
            CLASS_DATA,
            ENCODED_ARRAY,
            ANNOTATION_SET,
            ANNOTATION_SET_REF_LIST,
            ANNOTATIONS_DIRECTORY,
            MAP_LIST,
        ];
        let d8_release = [
            CODE,
            STRING_DATA,
            ANNOTATION,
            CLASS_DATA,
            ENCODED_ARRAY,
            MAP_LIST,
        ];
        let dexguard = [
            STRING_DATA,
            TYPE_LIST,
            DEBUG_INFO,
            ANNOTATION,
            ANNOTATION_SET,
            ANNOTATIONS_DIRECTORY,
            CODE,
            CLASS_DATA,
            ENCODED_ARRAY,
            MAP_LIST,
        ];
        let apktool = [
            STRING_DATA,
            TYPE_LIST,
            ENCODED_ARRAY,
            ANNOTATION,
            ANNOTATION_SET,
            ANNOTATION_SET_REF_LIST,
            ANNOTATIONS_DIRECTORY,
            DEBUG_INFO,
            CODE,
            CLASS_DATA,
            MAP_LIST,
        ];
        assert_eq!(name(&dx, &[], None).as_deref(), Some("dx"));
        assert_eq!(name(&dx_small, &[], None).as_deref(), Some("dx"));
        assert_eq!(name(&dx_no_type_list, &[], None).as_deref(), Some("dx"));
        assert_eq!(name(&merged, &[], None).as_deref(), Some("dexmerge"));
        assert_eq!(name(&d8, &[], None).as_deref(), Some("d8/r8"));
        assert_eq!(name(&d8_release, &[], None).as_deref(), Some("d8/r8"));
        assert_eq!(name(&dexguard, &[], None).as_deref(), Some("dexlib2"));
        assert_eq!(name(&apktool, &[], None).as_deref(), Some("dexlib2"));
    }

    #[test]
    fn tiny_layouts_and_jack() {
        use ty::*;
        // Too few sections to tell.
        assert_eq!(name(&[STRING_DATA, CLASS_DATA, MAP_LIST], &[], None), None);
        assert_eq!(name(&[], &[], None), None);
        // Jack writes dx's layout and says so.
        let dx = [
            CODE,
            TYPE_LIST,
            STRING_DATA,
            DEBUG_INFO,
            CLASS_DATA,
            MAP_LIST,
        ];
        let jack = detect_from(&layout(&dx), true, &[], Some("emitter: jack-3.26"));
        assert_eq!(jack.name.as_deref(), Some("jack"));
        assert_eq!(jack.version.as_deref(), Some("3.26"));
    }

    #[test]
    fn markers_decide_over_layout() {
        use ty::*;
        let d8 = [
            CODE,
            DEBUG_INFO,
            TYPE_LIST,
            STRING_DATA,
            CLASS_DATA,
            MAP_LIST,
        ];
        let marker = r#"~~D8{"backend":"dex","compilation-mode":"debug","has-checksums":true,"min-api":24,"version":"8.0.46"}"#;
        let found = detect_from(&layout(&d8), true, &[marker.to_owned()], None);
        assert_eq!(found.name.as_deref(), Some("d8"));
        assert_eq!(found.version.as_deref(), Some("8.0.46"));
        assert_eq!(found.min_api, Some(24));
        assert!(found.evidence.iter().any(|e| e.starts_with("marker ~~D8{")));
        // An old marker without compilation-mode is a marker all the same.
        let old = detect_from(
            &layout(&d8),
            true,
            &[r#"~~D8{"min-api":23,"version":"v0.2.0-dev"}"#.to_owned()],
            None,
        );
        assert_eq!(old.name.as_deref(), Some("d8"));
        assert_eq!(old.version.as_deref(), Some("v0.2.0-dev"));
        let r8 = detect_from(
            &layout(&d8),
            true,
            &[
                r#"~~R8{"compilation-mode":"release","min-api":21,"version":"8.6.2-dev"}"#
                    .to_owned(),
            ],
            None,
        );
        assert_eq!(r8.name.as_deref(), Some("r8"));
        // A dexlib2 rebuild keeps the original marker among its strings.
        let rebuilt = [STRING_DATA, TYPE_LIST, CODE, CLASS_DATA, MAP_LIST];
        let found = detect_from(&layout(&rebuilt), true, &[marker.to_owned()], None);
        assert_eq!(found.name.as_deref(), Some("dexlib2"));
        // String data out of id order: dexlib 1.x.
        let found = detect_from(&layout(&d8), false, &[], None);
        assert_eq!(found.name.as_deref(), Some("dexlib1"));
    }

    #[test]
    fn marker_values() {
        assert_eq!(
            parse_marker(r#"~~L8{"min-api":21,"version":"1.0"}"#),
            ("l8".to_owned(), Some("1.0".to_owned()), Some(21))
        );
        assert_eq!(parse_marker("~~D8{"), ("d8".to_owned(), None, None));
        assert_eq!(truncate("héllo", 2), "h");
    }
}
