//! The text report's network section.

use std::fmt::Write as _;

use apkscope_facts::AppFacts;

use crate::locale::{Lang, tr};
use crate::text::row;

/// Most endpoints the text report lists; the JSON report has them all (up to its cap).
const MAX_TEXT_ENDPOINTS: usize = 40;

pub(crate) fn render_network(s: &mut String, facts: &AppFacts, lang: Lang) {
    let c = &facts.network.cleartext;
    let _ = writeln!(s, "\n{}", tr(lang, "Network"));
    if c.decided_by.is_empty() {
        // No manifest was read (a bare dex): the policy is unknown, not "refused".
        row(s, tr(lang, "cleartext"), tr(lang, "unknown (no manifest)"));
    } else {
        render_policy(s, facts, lang);
    }
    render_endpoints(s, facts, lang);
}

fn render_policy(s: &mut String, facts: &AppFacts, lang: Lang) {
    let net = &facts.network;
    let c = &net.cleartext;
    row(
        s,
        tr(lang, "cleartext"),
        &format!(
            "{} ({}){}",
            if c.permitted {
                tr(lang, "allowed")
            } else {
                tr(lang, "refused")
            },
            c.decided_by,
            if c.domains.is_empty() {
                String::new()
            } else {
                format!("; {} {}", tr(lang, "allowed to"), c.domains.join(", "))
            }
        ),
    );
    row(
        s,
        tr(lang, "user CAs"),
        if net.user_certs_trusted {
            tr(lang, "trusted")
        } else {
            tr(lang, "not trusted")
        },
    );
    if let Some(config) = &net.security_config {
        row(
            s,
            tr(lang, "config"),
            &format!(
                "{} -> {}",
                config.reference,
                config
                    .entry
                    .as_deref()
                    .unwrap_or_else(|| tr(lang, "unresolved"))
            ),
        );
        if let Some(problem) = &config.problem {
            row(s, tr(lang, "config error"), problem);
        }
        for d in &config.domain_configs {
            let names: Vec<&str> = d.domains.iter().map(|x| x.name.as_str()).collect();
            let mut parts = Vec::new();
            if let Some(v) = d.cleartext_permitted {
                parts.push(format!("cleartext {v}"));
            }
            if !d.trust_anchors.is_empty() {
                let anchors: Vec<&str> = d.trust_anchors.iter().map(|t| t.src.as_str()).collect();
                parts.push(format!("{} {}", tr(lang, "trusts"), anchors.join("+")));
            }
            if let Some(p) = &d.pin_set {
                let expiry = p
                    .expiration
                    .as_deref()
                    .map_or_else(String::new, |e| format!(" {} {e}", tr(lang, "until")));
                parts.push(format!("{} pins{expiry}", p.pins.len()));
            }
            row(
                s,
                tr(lang, "domain"),
                &format!("{}: {}", names.join(", "), parts.join(", ")),
            );
        }
        if config.debug_overrides.is_some() {
            let _ = writeln!(s, "  {}", tr(lang, "debug-overrides present"));
        }
    }
}

fn render_endpoints(s: &mut String, facts: &AppFacts, lang: Lang) {
    let net = &facts.network;
    let more = if net.endpoints_truncated > 0 {
        format!(
            ", {} {}",
            net.endpoints_truncated,
            tr(lang, "more not listed")
        )
    } else {
        String::new()
    };
    row(
        s,
        tr(lang, "endpoints"),
        &format!("{}{more}", net.endpoints.len()),
    );
    for e in net.endpoints.iter().take(MAX_TEXT_ENDPOINTS) {
        let _ = writeln!(s, "    {} [{}] {}", e.value, e.kind, e.by.join(", "));
    }
    if net.endpoints.len() > MAX_TEXT_ENDPOINTS {
        let _ = writeln!(s, "    … ({})", tr(lang, "see the JSON report"));
    }
    row(s, tr(lang, "secrets"), &net.secrets.len().to_string());
    for x in &net.secrets {
        let public = if x.public {
            format!(" ({})", tr(lang, "public identifier"))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "    {} {} ({}) {}{public} {} {} [{}]",
            x.vendor,
            x.id,
            x.kind,
            x.masked,
            tr(lang, "in"),
            x.location,
            x.by
        );
    }
}
