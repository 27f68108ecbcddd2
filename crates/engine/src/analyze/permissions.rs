//! The permission matrix (protection level, TC260 group, whether code uses each permission)
//! and the `permission-requested` and `permission-unused` evaluators.

use std::collections::{BTreeSet, HashMap};

use apkscope_facts::{AppFacts, Evidence, RequestedPermission};
use apkscope_rules::{CompiledPack, Special, Tc260Group};

use super::message::Msg;
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

/// How specifically a `permission-requested` check names a requested permission: by name (3),
/// by special class (2), by TC260 group (1), not at all (0). Each requested permission is
/// reported by the check that names it most specifically (`rules validate` rejects two checks
/// naming one permission, special class or group: E056), so one fact gives one finding.
pub(super) fn specificity(
    p: &RequestedPermission,
    groups: &[Tc260Group],
    special: &[Special],
    names: &[String],
) -> u8 {
    if names.contains(&p.name) {
        3
    } else if p
        .special
        .as_deref()
        .is_some_and(|s| special.iter().any(|x| x.as_str() == s))
    {
        2
    } else {
        u8::from(in_groups(p.group.as_deref(), groups))
    }
}

/// The requested permissions this check reports: those it names most specifically among the
/// pack's `permission-requested` checks (`claims`: permission name → check id).
pub(super) fn permission_requested(
    facts: &AppFacts,
    check: &str,
    claims: &HashMap<&str, &str>,
) -> Vec<(Msg, Evidence)> {
    let mut out = Vec::new();
    for p in &facts.permissions.requested {
        if claims.get(p.name.as_str()) == Some(&check) {
            out.push((
                Msg::new("permission.requested").text("permission", p.name.clone()),
                permission_evidence(&p.name),
            ));
        }
    }
    out
}

pub(super) fn permission_unused(facts: &AppFacts, groups: &[Tc260Group]) -> Vec<(Msg, Evidence)> {
    facts
        .permissions
        .requested
        .iter()
        .filter(|p| {
            (groups.is_empty() || in_groups(p.group.as_deref(), groups)) && p.used == Some(false)
        })
        .map(|p| {
            (
                Msg::new("permission.unused").text("permission", p.name.clone()),
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
