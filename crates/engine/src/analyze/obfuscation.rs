//! The `obfuscation` evaluator over the signals `collect::obfuscation` found.

use apkscope_facts::{AppFacts, Evidence};
use apkscope_rules::ObfuscationVerdict;

use super::message::Msg;

/// One finding when the code shows any of `verdicts` (any verdict when empty): the analysis of
/// obfuscated code sees calls but may miss what decrypted strings and reflection hide.
pub(super) fn obfuscated(
    facts: &AppFacts,
    verdicts: &[ObfuscationVerdict],
) -> Vec<(Msg, Evidence)> {
    let obfuscation = &facts.code.obfuscation;
    let seen: Vec<&str> = obfuscation
        .verdicts
        .iter()
        .map(String::as_str)
        .filter(|v| verdicts.is_empty() || verdicts.iter().any(|w| w.as_str() == *v))
        .collect();
    if seen.is_empty() {
        return Vec::new();
    }
    let message = match obfuscation.evidence.first() {
        Some(first) => Msg::new("obfuscation.found-with-evidence")
            .list("verdicts", seen, usize::MAX)
            .text("evidence", first.clone()),
        None => Msg::new("obfuscation.found").list("verdicts", seen, usize::MAX),
    };
    // Where to look: the busiest string decryptor, else the first dex file.
    let evidence = match obfuscation.string_decryptors.first() {
        Some(decryptor) => Evidence {
            method: Some(decryptor.method.clone()),
            class: decryptor
                .method
                .split_once("->")
                .map(|(class, _)| class.to_owned()),
            ..Evidence::default()
        },
        None => Evidence {
            entry: facts.code.dex.first().map(|d| d.entry.clone()),
            ..Evidence::default()
        },
    };
    vec![(message, evidence)]
}
