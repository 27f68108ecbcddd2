//! The evaluators of the `network-config` and `secret-present` checks.

use apkscope_facts::network::NetworkConfigFacts;
use apkscope_facts::{AppFacts, Evidence};
use apkscope_rules::{NetworkCondition, SecretKind};

use super::message::{Arg, Msg};
use super::signing::Day;

/// Findings of one `network-config` condition.
#[allow(clippy::too_many_lines)] // one arm per condition, each with its own message
pub(crate) fn network_config(
    facts: &AppFacts,
    condition: NetworkCondition,
    as_of: &Day,
) -> Vec<(Msg, Evidence)> {
    let net = &facts.network;
    let config = net.security_config.as_ref();
    let config_entry = config
        .and_then(|c| c.entry.clone())
        .or_else(|| Some(crate::MANIFEST_ENTRY.to_owned()));
    let at = |component: String| Evidence {
        entry: config_entry.clone(),
        component: Some(component),
        ..Evidence::default()
    };
    match condition {
        NetworkCondition::CleartextPermitted if net.cleartext.permitted => {
            let why = match net.cleartext.decided_by.as_str() {
                "network-security-config" => Msg::new("network.cleartext-by-config"),
                "manifest" => Msg::new("network.cleartext-by-manifest"),
                _ => Msg::new("network.cleartext-by-default"),
            };
            let entry = if net.cleartext.decided_by == "network-security-config" {
                config_entry.clone()
            } else {
                Some(crate::MANIFEST_ENTRY.to_owned())
            };
            vec![(
                Msg::new("network.cleartext-everywhere").msg("reason", why),
                Evidence {
                    entry,
                    component: Some("cleartext".to_owned()),
                    ..Evidence::default()
                },
            )]
        }
        NetworkCondition::CleartextDomains if !net.cleartext.domains.is_empty() => {
            vec![(
                Msg::new("network.cleartext-domains").list(
                    "domains",
                    net.cleartext.domains.iter().cloned(),
                    usize::MAX,
                ),
                at(format!("domain-config {}", net.cleartext.domains.join(","))),
            )]
        }
        NetworkCondition::UserCertsTrusted if net.user_certs_trusted => {
            let why = if config.is_some_and(|c| trusts_user(c.base_config.as_ref()))
                || config.is_some_and(|c| c.domain_configs.iter().any(|d| trusts_user(Some(d))))
            {
                Msg::new("network.user-certs-by-config")
            } else {
                Msg::new("network.user-certs-by-default")
            };
            vec![(
                Msg::new("network.user-certs").msg("reason", why),
                at("trust-anchors user".to_owned()),
            )]
        }
        NetworkCondition::DebugOverrides => config
            .and_then(|c| c.debug_overrides.as_ref())
            .map(|d| {
                let anchors = d.trust_anchors.iter().map(|t| t.src.clone());
                vec![(
                    Msg::new("network.debug-overrides").list("anchors", anchors, usize::MAX),
                    at("debug-overrides".to_owned()),
                )]
            })
            .unwrap_or_default(),
        NetworkCondition::PinSetExpired => config
            .into_iter()
            .flat_map(|c| c.base_config.iter().chain(&c.domain_configs))
            .filter_map(|d| {
                let expiration = d.pin_set.as_ref()?.expiration.as_deref()?;
                let day = Day::parse(expiration)?;
                (day < *as_of).then(|| {
                    let names: Vec<&str> = d.domains.iter().map(|x| x.name.as_str()).collect();
                    let scope = if names.is_empty() {
                        Arg::Msg(Msg::new("network.every-host"))
                    } else {
                        Arg::list(names.iter().map(|n| Arg::Text((*n).to_owned())), 50, false)
                    };
                    (
                        Msg::new("network.pin-set-expired")
                            .arg("scope", scope)
                            .text("date", expiration),
                        at(format!("pin-set {}", names.join(","))),
                    )
                })
            })
            .collect(),
        NetworkCondition::ConfigUnreadable => config
            .and_then(|c| {
                let problem = c.problem.as_ref()?;
                Some(vec![(
                    Msg::new("network.config-unreadable")
                        .text("reference", c.reference.clone())
                        .text("problem", problem.clone()),
                    Evidence {
                        entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                        component: Some("application@android:networkSecurityConfig".to_owned()),
                        ..Evidence::default()
                    },
                )])
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn trusts_user(config: Option<&NetworkConfigFacts>) -> bool {
    config.is_some_and(|c| c.trust_anchors.iter().any(|t| t.src == "user"))
}

/// One finding per hard-coded credential of `kinds` (empty: all).
pub(crate) fn secret_present(facts: &AppFacts, kinds: &[SecretKind]) -> Vec<(Msg, Evidence)> {
    facts
        .network
        .secrets
        .iter()
        .filter(|s| !s.public)
        .filter(|s| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == s.kind))
        .map(|s| {
            let (entry, rest) = s.location.split_once(' ').unwrap_or((&s.location, ""));
            let in_dex = std::path::Path::new(entry)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("dex"));
            let (entry, component, class) = match entry {
                "resources" => (crate::RESOURCES_ENTRY, Some(rest), None),
                "meta-data" => (crate::MANIFEST_ENTRY, Some(rest), None),
                _ if in_dex => (entry, None, (!rest.is_empty()).then_some(rest)),
                _ => (entry, None, None),
            };
            let is_sdk = facts.sdks.iter().any(|sdk| sdk.id == s.by);
            (
                Msg::new("secret.hard-coded")
                    .text("vendor", s.vendor.clone())
                    .text("secret", s.id.clone())
                    .text("kind", s.kind.clone())
                    .text("location", s.location.clone())
                    .text("masked", s.masked.clone()),
                Evidence {
                    entry: Some(entry.to_owned()),
                    component: component
                        .map(|c| format!("meta-data {c}").replace("meta-data @", "@")),
                    sdk: is_sdk.then(|| s.by.clone()),
                    class: class.map(str::to_owned),
                    api: Some(format!("{} {}", s.id, s.masked)),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}
