//! `[[message]]` templates: parsing their placeholders and filling them in.
//!
//! A template is text with placeholders: `{name}` takes the argument `name`, `{name:one|other}`
//! picks `one` when the count `name` is 1 and `other` otherwise, and `{{` / `}}` are literal
//! braces. Nothing else is special, so a template cannot run code or loop.

use std::collections::BTreeSet;

/// One piece of a parsed template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// `{name}`.
    Arg(&'a str),
    /// `{name:one|other}`.
    Plural {
        /// The count argument.
        name: &'a str,
        /// Word for a count of 1.
        one: &'a str,
        /// Word for any other count.
        other: &'a str,
    },
}

/// Splits `template` into pieces, or says what is malformed.
pub fn parse(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        let Some(i) = rest.find(['{', '}']) else {
            out.push(Piece::Text(rest));
            break;
        };
        let (text, tail) = rest.split_at(i);
        if !text.is_empty() {
            out.push(Piece::Text(text));
        }
        if let Some(after) = tail.strip_prefix("{{") {
            out.push(Piece::Text("{"));
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix("}}") {
            out.push(Piece::Text("}"));
            rest = after;
            continue;
        }
        if tail.starts_with('}') {
            return Err(format!("a lone `}}` at byte {i}: write `}}}}` for a brace"));
        }
        let body_and_tail = tail.get(1..).unwrap_or("");
        let Some(end) = body_and_tail.find('}') else {
            return Err("a `{` is never closed".to_owned());
        };
        let (body, after) = body_and_tail.split_at(end);
        rest = after.get(1..).unwrap_or("");
        let piece = match body.split_once(':') {
            None => Piece::Arg(body),
            Some((name, words)) => {
                let Some((one, other)) = words.split_once('|') else {
                    return Err(format!(
                        "`{{{body}}}`: a plural placeholder is `{{{name}:one|other}}`"
                    ));
                };
                Piece::Plural { name, one, other }
            }
        };
        let name = match piece {
            Piece::Arg(name) | Piece::Plural { name, .. } => name,
            Piece::Text(_) => "",
        };
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!(
                "`{{{body}}}`: a placeholder name is lower-case letters, digits and `_`"
            ));
        }
        if body.contains('{') {
            return Err(format!("`{{{body}}}`: placeholders do not nest"));
        }
        out.push(piece);
    }
    Ok(out)
}

/// The placeholder names `template` uses.
pub(crate) fn placeholders(template: &str) -> Result<BTreeSet<String>, String> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Arg(name) | Piece::Plural { name, .. } => Some(name.to_owned()),
            Piece::Text(_) => None,
        })
        .collect())
}

/// Fills `template`: `arg(name)` gives a placeholder's text, `count(name)` a plural's count. A
/// placeholder with no value is kept as written, so a missing argument shows rather than
/// vanishes; a malformed template is returned as is.
pub fn fill(
    template: &str,
    arg: impl Fn(&str) -> Option<String>,
    count: impl Fn(&str) -> Option<u64>,
) -> String {
    let Ok(pieces) = parse(template) else {
        return template.to_owned();
    };
    let mut out = String::with_capacity(template.len() + 32);
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Arg(name) => {
                if let Some(value) = arg(name) {
                    out.push_str(&value);
                } else {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            Piece::Plural { name, one, other } => {
                out.push_str(if count(name) == Some(1) { one } else { other });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_plurals_are_filled() {
        let t = "{who} collects {what}: {n} {n:site|sites} {{raw}}";
        let arg = |name: &str| match name {
            "who" => Some("SDK JPush".to_owned()),
            "what" => Some("IMEI".to_owned()),
            "n" => Some("2".to_owned()),
            _ => None,
        };
        assert_eq!(
            fill(t, arg, |_| Some(2)),
            "SDK JPush collects IMEI: 2 sites {raw}"
        );
        assert_eq!(
            fill("{n} {n:site|sites}", |_| Some("1".into()), |_| Some(1)),
            "1 site"
        );
        assert_eq!(fill("a {missing} b", |_| None, |_| None), "a {missing} b");
        assert_eq!(
            placeholders(t).unwrap().into_iter().collect::<Vec<_>>(),
            ["n", "what", "who"]
        );
    }

    #[test]
    fn malformed_templates_are_refused() {
        for bad in ["{", "a } b", "{}", "{Name}", "{n:site}", "{a{b}"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(fill("{", |_| None, |_| None), "{");
    }
}
