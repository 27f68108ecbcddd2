//! Personal-information access: every site of every sensitive API of the pack, grouped by API
//! and owner, and the `pi-api-used` evaluator.

use std::collections::BTreeMap;

use apkscope_facts::code::{CodeIndex, MethodId, Site};
use apkscope_facts::{AppFacts, CodeLocation, Evidence, PiAccess};
use apkscope_rules::{ApiKind, ApiUser, CompiledPack, PiType};
use rayon::prelude::*;

use super::{MAX_EXAMPLES, count};
use crate::attribution::{Attribution, BY_APP, BY_UNATTRIBUTED, Owner, class_of, owner_name};

/// Calls of one API by one owner.
#[derive(Debug)]
pub(super) struct Access {
    pub(super) api: usize,
    pub(super) owner: Owner,
    pub(super) sites: Vec<(MethodId, u32)>,
}

impl Access {
    pub(super) fn to_facts(&self, index: &CodeIndex, pack: &CompiledPack) -> PiAccess {
        let api = pack.apis().get(self.api);
        PiAccess {
            api: api.map(|a| a.id.clone()).unwrap_or_default(),
            pi_type: api
                .map(|a| a.pi_type.as_str().to_owned())
                .unwrap_or_default(),
            signature: api.map(|a| a.signature.clone()).unwrap_or_default(),
            by: owner_name(self.owner, pack),
            sites: count(self.sites.len()),
            examples: self
                .sites
                .iter()
                .take(MAX_EXAMPLES)
                .map(|&(method, pc)| location(index, method, pc))
                .collect(),
        }
    }
}

fn location(index: &CodeIndex, method: MethodId, pc: u32) -> CodeLocation {
    let record = index.method_record(method);
    let dex = index.dex_of(method.dex);
    let class = record
        .and_then(|r| dex.and_then(|d| d.classes.get(usize::try_from(r.class).ok()?)))
        .and_then(|c| dex.and_then(|d| d.type_descriptor(c.type_idx)))
        .unwrap_or_default();
    CodeLocation {
        entry: dex.map(|d| d.entry.clone()).unwrap_or_default(),
        class: class.to_owned(),
        method: index.method_signature(method).unwrap_or_default(),
        pc,
    }
}

/// Every use of every sensitive API, grouped by API and owner, in pack order. APIs are looked
/// up in parallel; the reverse indexes they read were built beforehand.
pub(super) fn find_pi_access(
    index: &CodeIndex,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
) -> Vec<Access> {
    let per_api: Vec<Vec<Access>> = pack
        .apis()
        .par_iter()
        .enumerate()
        .map(|(api_index, api)| api_access(index, api_index, api, attribution))
        .collect();
    per_api.into_iter().flatten().collect()
}

/// The uses of one sensitive API, grouped by owner.
fn api_access(
    index: &CodeIndex,
    api_index: usize,
    api: &apkscope_rules::Api,
    attribution: &Attribution<'_>,
) -> Vec<Access> {
    let sites: Vec<Site> = match api.kind {
        ApiKind::Method => index.call_sites(&api.signature),
        ApiKind::Field => index.field_sites(&api.signature),
        ApiKind::String => index.string_sites(&api.signature),
        ApiKind::ContentUri => content_uri_sites(index, &api.signature),
    };
    let mut by_owner: BTreeMap<Owner, Vec<(MethodId, u32)>> = BTreeMap::new();
    let with_string = api.with_string.as_deref();
    for site in sites {
        if let Some(needed) = with_string
            && !method_loads_string(index, site.method, needed)
        {
            continue;
        }
        let owner =
            class_of(index, site.method).map_or(Owner::Unattributed, |c| attribution.owner(c));
        by_owner
            .entry(owner)
            .or_default()
            .push((site.method, site.pc));
    }
    by_owner
        .into_iter()
        .map(|(owner, sites)| Access {
            api: api_index,
            owner,
            sites,
        })
        .collect()
}

/// Whether `method`'s code loads the string `text` (`const-string`).
fn method_loads_string(index: &CodeIndex, method: MethodId, text: &str) -> bool {
    let Some(dex) = index.dex_of(method.dex) else {
        return false;
    };
    dex.method_refs_of(method.method).iter().any(|r| {
        r.kind == apkscope_facts::code::CodeRefKind::ConstString
            && dex.string(r.index) == Some(text)
    })
}

fn content_uri_sites(index: &CodeIndex, prefix: &str) -> Vec<Site> {
    let mut sites = Vec::new();
    for (dex_index, dex) in (0u32..).zip(&index.dex) {
        for string in dex.strings_with_prefix(prefix) {
            sites.extend(
                dex.string_sites_of(string)
                    .into_iter()
                    .map(|(method, pc)| Site {
                        method: MethodId {
                            dex: dex_index,
                            method,
                        },
                        pc,
                    }),
            );
        }
    }
    sites
}

pub(super) fn pi_api_used(
    facts: &AppFacts,
    by: ApiUser,
    pi_types: &[PiType],
) -> Vec<(String, Evidence)> {
    let mut out = Vec::new();
    for access in &facts.pi_access {
        let is_sdk = access.by != BY_APP && access.by != BY_UNATTRIBUTED;
        let by_matches = match by {
            ApiUser::Sdk => is_sdk,
            ApiUser::App => access.by == BY_APP,
            ApiUser::Any => true,
        };
        let type_matches =
            pi_types.is_empty() || pi_types.iter().any(|t| t.as_str() == access.pi_type);
        if !(by_matches && type_matches) {
            continue;
        }
        let first = access.examples.first();
        let who = match access.by.as_str() {
            BY_APP => "the app's own code".to_owned(),
            BY_UNATTRIBUTED => "code of no known SDK".to_owned(),
            sdk => format!("SDK {sdk}"),
        };
        out.push((
            format!(
                "{who} reads {} through {} ({} call sites)",
                access.pi_type, access.signature, access.sites
            ),
            Evidence {
                entry: first.map(|l| l.entry.clone()),
                sdk: is_sdk.then(|| access.by.clone()),
                class: first.map(|l| l.class.clone()),
                method: first.map(|l| l.method.clone()),
                api: Some(access.signature.clone()),
                ..Evidence::default()
            },
        ));
    }
    out
}
