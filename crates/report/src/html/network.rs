//! The HTML network section: endpoints by owner, the network security config, secrets masked.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use apkscope_facts::network::NetworkConfigFacts;

use super::{Esc, Page, empty, fill_html, header_row};
use crate::locale::label;

/// Most endpoints listed per owner; the JSON report has them all (up to its own cap).
const MAX_PER_OWNER: usize = 50;

#[allow(clippy::too_many_lines)] // one section: policy, config table, endpoints, secrets
pub(super) fn render_network(s: &mut String, p: &Page<'_>) -> fmt::Result {
    let net = &p.facts.network;
    writeln!(
        s,
        "<h3 id=\"{}-network\">{}</h3>",
        Esc(p.anchor),
        Esc(p.tr("Network"))
    )?;
    let c = &net.cleartext;
    let decided_by = match c.decided_by.as_str() {
        "network-security-config" => p.tr("the network security config"),
        "manifest" => p.tr("the manifest's usesCleartextTraffic"),
        "default" => p.tr("the platform default for the target SDK"),
        other => other,
    };
    let mut policy = fill_html(
        if c.permitted {
            p.tr("Cleartext HTTP: {allowed} (decided by {by}).")
        } else {
            p.tr("Cleartext HTTP: {refused} (decided by {by}).")
        },
        &[
            (
                "allowed",
                &format!("<strong>{}</strong>", Esc(p.tr("allowed"))),
            ),
            (
                "refused",
                &format!("<strong>{}</strong>", Esc(p.tr("refused"))),
            ),
            ("by", &Esc(decided_by).to_string()),
        ],
    );
    if !c.domains.is_empty() {
        policy.push(' ');
        policy.push_str(&fill_html(
            p.tr("Allowed to {domains}."),
            &[("domains", &Esc(&c.domains.join(", ")).to_string())],
        ));
    }
    policy.push(' ');
    policy.push_str(&fill_html(
        p.tr("User CAs trusted: {answer}."),
        &[(
            "answer",
            &format!(
                "<strong>{}</strong>",
                Esc(if net.user_certs_trusted {
                    p.tr("yes")
                } else {
                    p.tr("no")
                })
            ),
        )],
    ));
    writeln!(s, "<p>{policy}</p>")?;
    if let Some(config) = &net.security_config {
        writeln!(
            s,
            "<p>{} {} → {}</p>",
            Esc(p.tr("Network security config")),
            Esc(&config.reference),
            Esc(config.entry.as_deref().unwrap_or(p.tr("unresolved")))
        )?;
        if let Some(problem) = &config.problem {
            writeln!(
                s,
                "<p class=\"muted\">{}{}{}</p>",
                Esc(p.tr("Not read:")),
                p.after_colon(),
                Esc(problem)
            )?;
        }
        s.push_str("<table class=\"compact\">\n");
        header_row(
            s,
            &[
                p.tr("Element"),
                p.tr("Domains"),
                p.tr("Cleartext"),
                p.tr("Trust anchors"),
                p.tr("Pins"),
            ],
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
            config_row(s, p, element, cfg)?;
        }
        s.push_str("</tbody>\n</table>\n");
    }
    let mut by_owner: BTreeMap<&str, Vec<&apkscope_facts::network::Endpoint>> = BTreeMap::new();
    for e in &net.endpoints {
        for owner in &e.by {
            by_owner.entry(owner.as_str()).or_default().push(e);
        }
    }
    let endpoints = if net.endpoints_truncated > 0 {
        fill_html(
            p.tr("Endpoints ({n}, {more} more not listed)"),
            &[
                ("n", &net.endpoints.len().to_string()),
                ("more", &net.endpoints_truncated.to_string()),
            ],
        )
    } else {
        fill_html(
            p.tr("Endpoints ({n})"),
            &[("n", &net.endpoints.len().to_string())],
        )
    };
    writeln!(s, "<h4>{endpoints}</h4>")?;
    if by_owner.is_empty() {
        empty(s, p.tr("No URL, host or IP address found."))?;
    }
    for (owner, endpoints) in &by_owner {
        writeln!(
            s,
            "<details><summary>{}</summary><ul>",
            fill_html(
                p.tr("{owner} ({n})"),
                &[
                    ("owner", &Esc(p.owner_text(owner)).to_string()),
                    ("n", &endpoints.len().to_string())
                ]
            )
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
    writeln!(
        s,
        "<h4>{}</h4>",
        fill_html(
            p.tr("Hard-coded secrets ({n})"),
            &[("n", &net.secrets.len().to_string())]
        )
    )?;
    if net.secrets.is_empty() {
        return empty(s, p.tr("No hard-coded secret found."));
    }
    s.push_str("<table class=\"compact\">\n");
    header_row(
        s,
        &[
            p.tr("Vendor"),
            p.tr("Kind"),
            p.tr("Value (masked)"),
            p.tr("Where"),
            p.tr("By"),
        ],
    );
    for secret in &net.secrets {
        write!(
            s,
            "<tr><td>{}</td><td>{}",
            Esc(&secret.vendor),
            Esc(label(p.lang, "secret", &secret.kind))
        )?;
        if secret.public {
            write!(
                s,
                " <span class=\"flag warn\">{}</span>",
                Esc(p.tr("public identifier"))
            )?;
        }
        writeln!(
            s,
            "</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            Esc(&secret.masked),
            Esc(&secret.location),
            p.owners(std::slice::from_ref(&secret.by))
        )?;
    }
    s.push_str("</tbody>\n</table>\n");
    Ok(())
}

fn config_row(s: &mut String, p: &Page<'_>, element: &str, c: &NetworkConfigFacts) -> fmt::Result {
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
    let pins = c.pin_set.as_ref().map_or_else(String::new, |set| {
        let n = set.pins.len().to_string();
        match &set.expiration {
            Some(day) => fill_html(
                p.tr("{n} pin(s), expire {day}"),
                &[("n", &n), ("day", &Esc(day).to_string())],
            ),
            None => fill_html(p.tr("{n} pin(s)"), &[("n", &n)]),
        }
    });
    let cleartext = match c.cleartext_permitted {
        Some(true) => p.tr("allowed"),
        Some(false) => p.tr("refused"),
        None => "",
    };
    writeln!(
        s,
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{pins}</td></tr>",
        Esc(element),
        Esc(&domains.join(", ")),
        Esc(cleartext),
        Esc(&anchors.join(", ")),
    )
}
