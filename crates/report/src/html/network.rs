//! The HTML network section: endpoints by owner, the network security config, secrets masked.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use apkscope_facts::AppFacts;
use apkscope_facts::network::NetworkConfigFacts;

use super::Esc;

/// Most endpoints listed per owner; the JSON report has them all (up to its own cap).
const MAX_PER_OWNER: usize = 50;

#[allow(clippy::too_many_lines)] // one section: policy, config table, endpoints, secrets
pub(super) fn render_network(s: &mut String, facts: &AppFacts, anchor: &str) -> fmt::Result {
    let net = &facts.network;
    writeln!(s, "<h3 id=\"{}-network\">Network</h3>", Esc(anchor))?;
    let c = &net.cleartext;
    let domains = if c.domains.is_empty() {
        String::new()
    } else {
        format!("; allowed to {}", c.domains.join(", "))
    };
    writeln!(
        s,
        "<p>Cleartext HTTP: <strong>{}</strong> (decided by {}{}). User CAs trusted: \
         <strong>{}</strong>.</p>",
        if c.permitted { "allowed" } else { "refused" },
        Esc(&c.decided_by),
        Esc(&domains),
        if net.user_certs_trusted { "yes" } else { "no" },
    )?;
    if let Some(config) = &net.security_config {
        writeln!(
            s,
            "<p>Network security config {} → {}</p>",
            Esc(&config.reference),
            Esc(config.entry.as_deref().unwrap_or("unresolved"))
        )?;
        if let Some(problem) = &config.problem {
            writeln!(s, "<p class=\"muted\">Not read: {}</p>", Esc(problem))?;
        }
        s.push_str(
            "<table class=\"compact\">\n<thead><tr><th>Element</th><th>Domains</th>\
             <th>Cleartext</th><th>Trust anchors</th><th>Pins</th></tr></thead>\n<tbody>\n",
        );
        let rows = config
            .base_config
            .iter()
            .map(|b| ("base-config", b))
            .chain(config.domain_configs.iter().map(|d| ("domain-config", d)))
            .chain(
                config
                    .debug_overrides
                    .iter()
                    .map(|d| ("debug-overrides", d)),
            );
        for (element, cfg) in rows {
            config_row(s, element, cfg)?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    let mut by_owner: BTreeMap<&str, Vec<&apkscope_facts::network::Endpoint>> = BTreeMap::new();
    for e in &net.endpoints {
        for owner in &e.by {
            by_owner.entry(owner.as_str()).or_default().push(e);
        }
    }
    writeln!(
        s,
        "<h4>Endpoints ({}{})</h4>",
        net.endpoints.len(),
        if net.endpoints_truncated > 0 {
            format!(", {} more not listed", net.endpoints_truncated)
        } else {
            String::new()
        }
    )?;
    if by_owner.is_empty() {
        s.push_str("<p class=\"muted\">None.</p>\n");
    }
    for (owner, endpoints) in &by_owner {
        writeln!(
            s,
            "<details><summary>{} ({})</summary><ul>",
            Esc(owner),
            endpoints.len()
        )?;
        for e in endpoints.iter().take(MAX_PER_OWNER) {
            writeln!(
                s,
                "<li><code>{}</code> <span class=\"muted\">{} · {}</span></li>",
                Esc(&e.value),
                Esc(&e.kind),
                Esc(&e.sources.join("; "))
            )?;
        }
        s.push_str("</ul></details>\n");
    }
    writeln!(s, "<h4>Hard-coded secrets ({})</h4>", net.secrets.len())?;
    if net.secrets.is_empty() {
        s.push_str("<p class=\"muted\">None.</p>\n");
        return Ok(());
    }
    s.push_str(
        "<table class=\"compact\">\n<thead><tr><th>Vendor</th><th>Kind</th><th>Value \
         (masked)</th><th>Where</th><th>By</th></tr></thead>\n<tbody>\n",
    );
    for secret in &net.secrets {
        writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            Esc(&secret.vendor),
            Esc(&secret.kind),
            Esc(&secret.masked),
            Esc(&secret.location),
            Esc(&secret.by)
        )?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn config_row(s: &mut String, element: &str, c: &NetworkConfigFacts) -> fmt::Result {
    let domains: Vec<String> = c
        .domains
        .iter()
        .map(|d| {
            if d.include_subdomains {
                format!("*.{}", d.name)
            } else {
                d.name.clone()
            }
        })
        .collect();
    let anchors: Vec<&str> = c.trust_anchors.iter().map(|t| t.src.as_str()).collect();
    let pins = c.pin_set.as_ref().map_or_else(String::new, |p| {
        format!(
            "{} pin(s){}",
            p.pins.len(),
            p.expiration
                .as_deref()
                .map_or_else(String::new, |e| format!(", expire {e}"))
        )
    });
    let cleartext = match c.cleartext_permitted {
        Some(true) => "allowed",
        Some(false) => "refused",
        None => "",
    };
    writeln!(
        s,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        Esc(element),
        Esc(&domains.join(", ")),
        cleartext,
        Esc(&anchors.join(", ")),
        Esc(&pins)
    )
}
