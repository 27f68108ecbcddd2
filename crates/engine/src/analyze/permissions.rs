//! The permission matrix (protection level, TC260 group, whether code uses each permission)
//! and the `permission-requested` and `permission-unused` evaluators.

use std::collections::BTreeSet;

use apkscope_facts::{AppFacts, Evidence};
use apkscope_rules::{CompiledPack, Special, Tc260Group};

use super::pi::Access;
use crate::attribution::owner_name;

pub(super) fn fill_permission_matrix(
    facts: &mut AppFacts,
    pack: &CompiledPack,
    accesses: &[Access],
) {
    let analysed = facts.code.analysed;
    for requested in &mut facts.permissions.requested {
        if let Some(permission) = pack.permission(&requested.name) {
            requested.protection_level = Some(permission.protection_level.clone());
            requested.group = permission.group.map(|g| g.as_str().to_owned());
            requested.special = permission.special.map(|s| s.as_str().to_owned());
            requested.pi_types = permission
                .pi_types
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect();
        }
        let needs = |api: usize| {
            pack.apis()
                .get(api)
                .is_some_and(|a| a.permissions.iter().any(|p| p.name == requested.name))
        };
        let mapped = (0..pack.apis().len()).any(needs);
        let users: BTreeSet<String> = accesses
            .iter()
            .filter(|a| needs(a.api))
            .map(|a| owner_name(a.owner, pack))
            .collect();
        requested.used = (analysed && mapped).then_some(!users.is_empty());
        requested.used_by = users.into_iter().collect();
    }
}

fn in_groups(group: Option<&str>, groups: &[Tc260Group]) -> bool {
    group.is_some_and(|g| groups.iter().any(|x| x.as_str() == g))
}

pub(super) fn permission_requested(
    facts: &AppFacts,
    groups: &[Tc260Group],
    special: &[Special],
    names: &[String],
) -> Vec<(String, Evidence)> {
    let mut out = Vec::new();
    for p in &facts.permissions.requested {
        let is_special = p
            .special
            .as_deref()
            .is_some_and(|s| special.iter().any(|x| x.as_str() == s));
        if in_groups(p.group.as_deref(), groups) || is_special || names.contains(&p.name) {
            let class = p
                .group
                .as_deref()
                .or(p.special.as_deref())
                .map_or_else(String::new, |c| format!(" ({c})"));
            out.push((
                format!("requests {}{class}", p.name),
                permission_evidence(&p.name),
            ));
        }
    }
    out
}

pub(super) fn permission_unused(
    facts: &AppFacts,
    groups: &[Tc260Group],
) -> Vec<(String, Evidence)> {
    facts
        .permissions
        .requested
        .iter()
        .filter(|p| {
            (groups.is_empty() || in_groups(p.group.as_deref(), groups)) && p.used == Some(false)
        })
        .map(|p| {
            (
                format!("requests {} but no code calls an API that needs it", p.name),
                permission_evidence(&p.name),
            )
        })
        .collect()
}

fn permission_evidence(name: &str) -> Evidence {
    Evidence {
        entry: Some(crate::MANIFEST_ENTRY.to_owned()),
        permission: Some(name.to_owned()),
        ..Evidence::default()
    }
}
