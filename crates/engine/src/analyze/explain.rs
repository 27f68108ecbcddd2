//! `apkscope explain`: every chain to the sites of a sink, for a reviewer who wants more than
//! the report's shortest one.

use apkscope_facts::code::{MethodId, Site};
use apkscope_facts::{AppFacts, ExplainedChain, ExplainedSite, Explanation};
use apkscope_graph::Trigger;
use apkscope_rules::{CompiledPack, SdkId};

use super::pi::{api_sites, location};
use super::startup::{defined, graph_config, render_chain};
use crate::attribution::{Attribution, class_of, owner_name};

/// Most sites an explanation lists.
const MAX_SITES: usize = 50;

/// Explains `target` in a scanned app: a finding's fingerprint (its APIs' sites, of its
/// owner), a pack API or any method signature (its call sites, field reads or string loads),
/// or a method the app defines (the method itself). `Err` says why the target names nothing.
pub(crate) fn explain(
    facts: &AppFacts,
    pack: &CompiledPack,
    app_packages: &[String],
    target: &str,
    max_chains: usize,
    memory: u64,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Result<Explanation, String> {
    let index = &facts.code_index;
    if index.dex.is_empty() {
        return Err("the app has no code to explain".to_owned());
    }
    let present: Vec<SdkId> = facts
        .sdks
        .iter()
        .filter_map(|s| pack.sdk_by_id(&s.id))
        .collect();
    let attribution = Attribution::new(facts, pack, app_packages, &present);
    let owner_of = |method: MethodId| {
        class_of(index, method).map_or_else(
            || "unattributed".to_owned(),
            |c| owner_name(attribution.owner(c), pack),
        )
    };
    let (sinks, mut sites, owner): (Vec<String>, Vec<Site>, Option<String>) =
        if let Some(finding) = facts.findings.iter().find(|f| f.fingerprint == target) {
            let sinks = finding.apis.clone();
            if sinks.is_empty() {
                return Err(format!(
                    "finding {target} ({}) names no API or method to explain",
                    finding.rule
                ));
            }
            let sites = sinks
                .iter()
                .flat_map(|s| sites_of(facts, pack, s))
                .collect();
            (sinks, sites, finding.owner.as_ref().map(|o| o.id.clone()))
        } else if target.contains("->") {
            (vec![target.to_owned()], sites_of(facts, pack, target), None)
        } else {
            return Err(format!(
                "`{target}` is neither a finding fingerprint of this app nor a signature \
                 (`Lcom/example/Cls;->method(params)ret`, or `Lcls;->field:type` for a field)"
            ));
        };
    if let Some(owner) = &owner {
        sites.retain(|s| owner_of(s.method) == *owner);
    }
    sites.sort();
    sites.dedup();
    if sites.is_empty() {
        return Err(format!("no code of the app uses {}", sinks.join(", ")));
    }
    let more_sites = u64::try_from(sites.len().saturating_sub(MAX_SITES)).unwrap_or(u64::MAX);
    sites.truncate(MAX_SITES);
    let config = graph_config(facts, pack, memory);
    let mut analysis = apkscope_graph::analyze(index, &config, should_stop);
    let mut explained = Vec::with_capacity(sites.len());
    for site in &sites {
        let mut chains = Vec::new();
        for (trigger, hops) in analysis.chains_to(site.method, max_chains) {
            let grade = match trigger {
                Trigger::Startup | Trigger::Launch if analysis.conditional(&hops, site.pc) => {
                    Some("conditional")
                }
                Trigger::Startup => Some("before-any-ui"),
                Trigger::Launch => Some("on-launch"),
                Trigger::Component | Trigger::User => None,
            };
            chains.push(ExplainedChain {
                trigger: trigger.as_str().to_owned(),
                grade: grade.map(str::to_owned),
                chain: render_chain(index, &hops, site.pc),
            });
        }
        explained.push(ExplainedSite {
            location: location(index, site.method, site.pc),
            owner: owner_of(site.method),
            triggers: super::startup::trigger_names(&analysis, site.method),
            chains,
        });
    }
    Ok(Explanation {
        target: target.to_owned(),
        sinks,
        sites: explained,
        more_sites,
        truncated: analysis.truncated(),
    })
}

/// The sites of one signature: a pack API's uses by its kind; else the calls of a method (or
/// the method itself, when the app defines it and nothing calls it), or a field's reads.
fn sites_of(facts: &AppFacts, pack: &CompiledPack, signature: &str) -> Vec<Site> {
    let index = &facts.code_index;
    if let Some(api) = pack.apis().iter().find(|a| a.signature == signature) {
        return api_sites(index, api);
    }
    if signature.contains("->") && signature.contains(':') && !signature.contains('(') {
        return index.field_sites(signature);
    }
    let calls = index.call_sites(signature);
    if !calls.is_empty() {
        return calls;
    }
    // A method of the app itself: explain how it is reached.
    defined(index, signature)
        .map(|method| vec![Site { method, pc: 0 }])
        .unwrap_or_default()
}
