//! The language of a report: English, or Chinese from a table.
//!
//! Report wording is data (`locale/zh.tsv`), so `--lang zh` is a table, not a second code
//! path. Interface text is keyed by its English wording: `tr(lang, "Findings")`. Vocabulary
//! (categories, permission groups, severities, confidences, owner kinds …) is keyed by kind and
//! id (`category.push`) with an English and a Chinese label, read with [`label`]. What the
//! engine words (finding messages, check texts, PI type labels, reference titles) comes in
//! both languages in the facts and is picked with [`Lang::pick`].

use std::collections::HashMap;
use std::sync::OnceLock;

/// A report language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Every language, for documentation and tests.
    pub const ALL: [Self; 2] = [Self::En, Self::Zh];

    /// Parses a language code: `en` or `zh` (also `zh-CN`, `zh-Hans`).
    pub fn parse(code: &str) -> Option<Self> {
        match code.to_ascii_lowercase().as_str() {
            "en" | "en-us" | "en-gb" => Some(Self::En),
            "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => Some(Self::Zh),
            _ => None,
        }
    }

    /// The BCP 47 code (`en`, `zh-CN`), for HTML `lang` attributes.
    pub const fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Zh => "zh-CN",
        }
    }

    /// `en` in English, else `zh` when given, else `en`: the facts' two forms of one text.
    pub fn pick<'a>(self, en: &'a str, zh: Option<&'a str>) -> &'a str {
        match (self, zh) {
            (Self::Zh, Some(zh)) if !zh.is_empty() => zh,
            _ => en,
        }
    }
}

/// The Chinese table: `English<TAB>中文` for interface text, `kind.id<TAB>English<TAB>中文`
/// for vocabulary; `#` starts a comment line.
const ZH_TABLE: &str = include_str!("locale/zh.tsv");

struct Entry {
    /// English wording for vocabulary entries (interface text is its own key).
    en: Option<&'static str>,
    zh: &'static str,
}

fn table() -> &'static HashMap<&'static str, Entry> {
    static TABLE: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ZH_TABLE
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut cols = l.split('\t');
                let key = cols.next()?;
                let second = cols.next()?;
                Some(match cols.next() {
                    Some(zh) => (
                        key,
                        Entry {
                            en: Some(second),
                            zh,
                        },
                    ),
                    None => (
                        key,
                        Entry {
                            en: None,
                            zh: second,
                        },
                    ),
                })
            })
            .collect()
    })
}

/// Interface text in `lang`: `en` itself in English, its Chinese from the table (`en` when the
/// table lacks it, which a test forbids for the texts the reports use).
pub fn tr(lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => table().get(en).map_or(en, |e| e.zh),
    }
}

/// The label of a vocabulary word (`kind` = `category`, `group`, `severity` …, `id` its value)
/// in `lang`; the id itself when the table does not know it (a category a newer rule pack
/// added).
pub fn label<'a>(lang: Lang, kind: &str, id: &'a str) -> &'a str {
    let key = format!("{kind}.{id}");
    match table().get(key.as_str()) {
        Some(entry) => match lang {
            Lang::En => entry.en.unwrap_or(id),
            Lang::Zh => entry.zh,
        },
        None => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_pick() {
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::Zh.pick("a", Some("甲")), "甲");
        assert_eq!(Lang::Zh.pick("a", None), "a");
        assert_eq!(Lang::En.pick("a", Some("甲")), "a");
    }

    #[test]
    fn the_table_is_well_formed() {
        for (i, line) in ZH_TABLE.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(
                (2..=3).contains(&cols.len()) && cols.iter().all(|c| !c.trim().is_empty()),
                "locale/zh.tsv:{}: `{line}`",
                i + 1
            );
            assert_eq!(
                cols.len() == 3,
                cols[0].contains('.') && !cols[0].contains(' '),
                "locale/zh.tsv:{}: vocabulary keys are kind.id with three columns",
                i + 1
            );
        }
        let mut keys: Vec<&str> = ZH_TABLE
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split('\t').next())
            .collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key is listed twice");
    }

    /// Every `tr(…, "text")` in the report's sources has its Chinese.
    #[test]
    fn every_interface_text_is_translated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut files = vec![dir.clone()];
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            // This file's examples are not report text.
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("locale.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (i, _) in source.match_indices("tr(") {
                let rest = &source[i + 3..];
                let Some(open) = rest.find('"') else { continue };
                // `tr(lang, "…")`: the literal follows the language argument on the same call.
                if rest[..open].contains(')') || !rest[..open].trim_end().ends_with(',') {
                    continue;
                }
                let text = &rest[open + 1..];
                let text = &text[..text.find('"').unwrap()];
                if table().get(text).is_none() {
                    missing.push(format!("{}: {text}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no Chinese for:\n{}",
            missing.join("\n")
        );
    }
}
