//! `apkscope explain`: every chain to a sink, as text or JSON.

use std::io::{self, Write};

use apkscope_facts::Explanation;

use crate::locale::{Lang, label, tr};

/// Writes the explanation as readable text: each site with its owner and triggers, then one
/// chain per entry point, entry first, indented one step per call.
pub fn write_explanation_text(
    explanation: &Explanation,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {}",
        tr(lang, "Chains to"),
        explanation.sinks.join(", ")
    )?;
    for site in &explanation.sites {
        let triggers: Vec<&str> = site
            .triggers
            .iter()
            .map(|t| label(lang, "trigger", t))
            .collect();
        writeln!(
            out,
            "\n{} @{}  ({} {} · {})",
            site.location.method,
            site.location.pc,
            tr(lang, "owner:"),
            site.owner,
            triggers.join(", ")
        )?;
        if site.chains.is_empty() {
            writeln!(out, "  {}", tr(lang, "no entry point reaches this site"))?;
        }
        for chain in &site.chains {
            let grade = chain
                .grade
                .as_deref()
                .map(|g| format!(", {}", label(lang, "confidence", g)))
                .unwrap_or_default();
            writeln!(out, "  [{}{grade}]", label(lang, "trigger", &chain.trigger))?;
            out.write_all(crate::text::chain_lines(&chain.chain, "    ", lang).as_bytes())?;
        }
    }
    if explanation.more_sites > 0 {
        writeln!(
            out,
            "\n{} {} {}",
            tr(lang, "and"),
            explanation.more_sites,
            tr(lang, "more sites (see the JSON report)")
        )?;
    }
    if explanation.truncated {
        writeln!(
            out,
            "\n{}",
            tr(lang, "search cut short: paths may be missing")
        )?;
    }
    Ok(())
}

/// Writes the explanation as one JSON object.
pub fn write_explanation_json(explanation: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, explanation).map_err(io::Error::other)?;
    writeln!(out)
}
