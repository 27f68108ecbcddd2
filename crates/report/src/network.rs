//! The text report's network section.

use std::fmt::Write as _;

use apkscope_facts::AppFacts;

/// Most endpoints the text report lists; the JSON report has them all (up to its cap).
const MAX_TEXT_ENDPOINTS: usize = 40;

pub(crate) fn render_network(s: &mut String, facts: &AppFacts) {
    let net = &facts.network;
    let c = &net.cleartext;
    let _ = writeln!(s, "\nNetwork");
    if c.decided_by.is_empty() {
        // No manifest was read (a bare dex): the policy is unknown, not "refused".
        let _ = writeln!(s, "  cleartext     unknown (no manifest)");
    } else {
        render_policy(s, facts);
    }
    render_endpoints(s, facts);
}

fn render_policy(s: &mut String, facts: &AppFacts) {
    let net = &facts.network;
    let c = &net.cleartext;
    let _ = writeln!(
        s,
        "  cleartext     {} ({}){}",
        if c.permitted { "allowed" } else { "refused" },
        c.decided_by,
        if c.domains.is_empty() {
            String::new()
        } else {
            format!("; allowed to {}", c.domains.join(", "))
        }
    );
    let _ = writeln!(
        s,
        "  user CAs      {}",
        if net.user_certs_trusted {
            "trusted"
        } else {
            "not trusted"
        }
    );
    if let Some(config) = &net.security_config {
        let _ = writeln!(
            s,
            "  config        {} -> {}",
            config.reference,
            config.entry.as_deref().unwrap_or("unresolved")
        );
        if let Some(problem) = &config.problem {
            let _ = writeln!(s, "  config error  {problem}");
        }
        for d in &config.domain_configs {
            let names: Vec<&str> = d.domains.iter().map(|x| x.name.as_str()).collect();
            let mut parts = Vec::new();
            if let Some(v) = d.cleartext_permitted {
                parts.push(format!("cleartext {v}"));
            }
            if !d.trust_anchors.is_empty() {
                let anchors: Vec<&str> = d.trust_anchors.iter().map(|t| t.src.as_str()).collect();
                parts.push(format!("trusts {}", anchors.join("+")));
            }
            if let Some(p) = &d.pin_set {
                let expiry = p
                    .expiration
                    .as_deref()
                    .map_or_else(String::new, |e| format!(" until {e}"));
                parts.push(format!("{} pins{expiry}", p.pins.len()));
            }
            let _ = writeln!(
                s,
                "  domain        {}: {}",
                names.join(", "),
                parts.join(", ")
            );
        }
        if config.debug_overrides.is_some() {
            let _ = writeln!(s, "  debug-overrides present");
        }
    }
}

fn render_endpoints(s: &mut String, facts: &AppFacts) {
    let net = &facts.network;
    let more = if net.endpoints_truncated > 0 {
        format!(", {} more not listed", net.endpoints_truncated)
    } else {
        String::new()
    };
    let _ = writeln!(s, "  endpoints     {}{more}", net.endpoints.len());
    for e in net.endpoints.iter().take(MAX_TEXT_ENDPOINTS) {
        let _ = writeln!(s, "    {} [{}] {}", e.value, e.kind, e.by.join(", "));
    }
    if net.endpoints.len() > MAX_TEXT_ENDPOINTS {
        let _ = writeln!(s, "    … (see the JSON report)");
    }
    let _ = writeln!(s, "  secrets       {}", net.secrets.len());
    for x in &net.secrets {
        let _ = writeln!(
            s,
            "    {} {} ({}) {} in {} [{}]",
            x.vendor, x.id, x.kind, x.masked, x.location, x.by
        );
    }
}
