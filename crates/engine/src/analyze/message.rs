//! Finding messages as data: an evaluator names a `[[message]]` of the rule pack and its
//! arguments; the message is rendered once per language the pack writes (English and
//! Chinese), so reports in either language come from the same facts.

use apkscope_rules::CompiledPack;
use apkscope_rules::message::fill;

/// A language a message is rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Zh,
}

/// A message of the pack (`id`) with its arguments.
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    id: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// One argument of a message.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    /// The same text in every language: a name, an id, a path, a number.
    Text(String),
    /// A text that has a form per language (a PI type's label, an SDK's Chinese name).
    Both { en: String, zh: String },
    /// A count: shown as a number, and selects plural words.
    Count(u64),
    /// A message of its own (a reason), rendered in the same language.
    Msg(Msg),
    /// Items joined by the language's separator; `or` joins alternatives; `more` items left
    /// out are counted (`list.more`).
    List {
        items: Vec<Arg>,
        more: u64,
        or: bool,
    },
}

impl Msg {
    pub(crate) fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    pub(crate) fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, Arg::Text(value.into())));
        self
    }

    pub(crate) fn both(
        mut self,
        name: &'static str,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        self.args.push((
            name,
            Arg::Both {
                en: en.into(),
                zh: zh.into(),
            },
        ));
        self
    }

    pub(crate) fn count(mut self, name: &'static str, n: u64) -> Self {
        self.args.push((name, Arg::Count(n)));
        self
    }

    pub(crate) fn msg(mut self, name: &'static str, message: Self) -> Self {
        self.args.push((name, Arg::Msg(message)));
        self
    }

    pub(crate) fn arg(mut self, name: &'static str, arg: Arg) -> Self {
        self.args.push((name, arg));
        self
    }

    /// Plain texts as a list (`, ` or `、`), the first `max` shown and the rest counted.
    pub(crate) fn list<S: Into<String>>(
        self,
        name: &'static str,
        items: impl IntoIterator<Item = S>,
        max: usize,
    ) -> Self {
        self.arg(
            name,
            Arg::list(items.into_iter().map(|s| Arg::Text(s.into())), max, false),
        )
    }

    /// The message in `lang`. A message the pack lacks shows as its id and arguments, so that
    /// a pack without messages still says something.
    pub(crate) fn render(&self, pack: &CompiledPack, lang: Lang) -> String {
        let Some(template) = pack.message(self.id).map(|m| match lang {
            Lang::En => m.text.as_str(),
            Lang::Zh => m.text_zh.as_str(),
        }) else {
            let args: Vec<String> = self
                .args
                .iter()
                .map(|(name, arg)| format!("{name}={}", arg.render(pack, lang)))
                .collect();
            return format!("{} ({})", self.id, args.join(", "));
        };
        fill(
            template,
            |name| self.get(name).map(|a| a.render(pack, lang)),
            |name| match self.get(name) {
                Some(Arg::Count(n)) => Some(*n),
                _ => None,
            },
        )
    }

    fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }
}

impl Arg {
    pub(crate) fn list(items: impl IntoIterator<Item = Arg>, max: usize, or: bool) -> Self {
        let mut all: Vec<Arg> = items.into_iter().collect();
        let more = all.len().saturating_sub(max);
        all.truncate(max);
        Self::List {
            items: all,
            more: u64::try_from(more).unwrap_or(u64::MAX),
            or,
        }
    }

    fn render(&self, pack: &CompiledPack, lang: Lang) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Both { en, zh } => match lang {
                Lang::En => en.clone(),
                Lang::Zh => zh.clone(),
            },
            Self::Count(n) => n.to_string(),
            Self::Msg(m) => m.render(pack, lang),
            Self::List { items, more, or } => {
                if items.is_empty() && *more == 0 {
                    return Msg::new("list.none").render(pack, lang);
                }
                let separator = match (lang, or) {
                    (Lang::En, false) => ", ",
                    (Lang::En, true) => " or ",
                    (Lang::Zh, false) => "、",
                    (Lang::Zh, true) => "或",
                };
                let joined = items
                    .iter()
                    .map(|a| a.render(pack, lang))
                    .collect::<Vec<_>>()
                    .join(separator);
                if *more == 0 {
                    joined
                } else {
                    Msg::new("list.more")
                        .text("items", joined)
                        .count("more", *more)
                        .render(pack, lang)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> CompiledPack {
        apkscope_rules::default_pack().unwrap().compile().unwrap()
    }

    #[test]
    fn messages_render_in_both_languages_with_nested_reasons_and_lists() {
        let pack = pack();
        let m = Msg::new("pi.collects")
            .msg("owner", Msg::new("owner.sdk").text("name", "JPush"))
            .both("pi_type", "IMEI", "设备识别码")
            .count("sites", 3)
            .list("apis", ["a()", "b()", "c()"], 2);
        assert_eq!(
            m.render(&pack, Lang::En),
            "SDK JPush collects IMEI: 3 sites through a(), b() and 1 more"
        );
        assert_eq!(
            m.render(&pack, Lang::Zh),
            "第三方 SDK JPush 收集设备识别码：3 处调用，经 a()、b()等（另有 1 项）"
        );
        let one = Msg::new("pi.collects")
            .msg("owner", Msg::new("owner.app"))
            .both("pi_type", "IMEI", "设备识别码")
            .count("sites", 1)
            .list("apis", ["a()"], 2);
        assert_eq!(
            one.render(&pack, Lang::En),
            "The app's own code collects IMEI: 1 site through a()"
        );
    }

    #[test]
    fn a_message_the_pack_lacks_shows_its_id_and_arguments() {
        let pack = pack();
        let m = Msg::new("no.such-message").text("x", "1");
        assert_eq!(m.render(&pack, Lang::En), "no.such-message (x=1)");
    }

    /// Every `Msg::new("…")` in the engine's sources names a message of the default pack, and
    /// every message of the pack is used: the wording table and the code cannot drift apart.
    #[test]
    fn every_message_the_engine_names_is_in_the_pack_and_every_one_is_used() {
        let pack = pack();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze");
        let mut used = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == "message.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for (i, _) in source.match_indices("Msg::new(\"") {
                let rest = &source[i + "Msg::new(\"".len()..];
                let id = &rest[..rest.find('"').unwrap()];
                assert!(
                    pack.message(id).is_some(),
                    "{}: message `{id}` is not in rules/messages.toml",
                    path.display()
                );
                used.insert(id.to_owned());
            }
        }
        used.extend(["list.more".to_owned(), "list.none".to_owned()]);
        let defined = apkscope_rules::default_pack().unwrap();
        for m in defined.messages() {
            assert!(
                used.contains(&m.id),
                "message `{}` ({}) is used by no evaluator",
                m.id,
                m.origin.location()
            );
        }
    }
}
