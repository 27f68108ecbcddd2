//! Packers, protectors and obfuscators: their traces, and the `packer-present` evaluator.

use std::collections::{BTreeMap, HashSet};

use apkscope_facts::{AppFacts, Evidence, PackerFacts};
use apkscope_rules::{CompiledPack, PackerId, PackerKind};

use super::MAX_EXAMPLES;
use super::message::Msg;

/// Packers, protectors and obfuscators whose traces the app carries: its manifest stub
/// classes, dex classes, native libraries, assets and hidden payloads. Sorted by id; each
/// packer keeps at most [`MAX_EXAMPLES`] dex classes as evidence.
pub(super) fn detect_packers(facts: &AppFacts, pack: &CompiledPack) -> Vec<PackerFacts> {
    let mut found: BTreeMap<PackerId, (Vec<String>, usize)> = BTreeMap::new();
    // Evidence already listed, so that an app with 100,000 matching libraries is not quadratic.
    let mut seen: HashSet<(PackerId, String)> = HashSet::new();
    let mut add = |id: Option<PackerId>, what: String| {
        if let Some(id) = id
            && seen.insert((id, what.clone()))
        {
            found.entry(id).or_default().0.push(what);
        }
    };
    let app = &facts.manifest.application;
    if let Some(name) = &app.name {
        add(
            pack.packer_for_application_class(name),
            format!("application class {name}"),
        );
    }
    if let Some(name) = &app.app_component_factory {
        add(
            pack.packer_for_application_class(name),
            format!("app component factory {name}"),
        );
    }
    for lib in &facts.container.native_libs {
        add(
            pack.packer_for_native_lib(lib),
            format!("native library {lib}"),
        );
    }
    for asset in &facts.container.assets {
        add(pack.packer_for_asset(asset), format!("asset {asset}"));
    }
    for payload in &facts.code.hidden_payloads {
        let outer = payload.path.split('!').next().unwrap_or(&payload.path);
        add(
            pack.packer_for_asset(outer),
            format!("hidden payload {}", payload.path),
        );
    }
    if !pack.packers().is_empty() {
        let index = &facts.code_index;
        for id in index.classes() {
            let Some(descriptor) = index.class_descriptor(id) else {
                continue;
            };
            let Some(packer) = pack.packer_for_class(descriptor) else {
                continue;
            };
            let (evidence, classes) = found.entry(packer).or_default();
            if *classes < MAX_EXAMPLES {
                let what = format!("class {descriptor}");
                if seen.insert((packer, what.clone())) {
                    evidence.push(what);
                    *classes += 1;
                }
            }
        }
    }
    let mut out: Vec<PackerFacts> = found
        .into_iter()
        .filter_map(|(id, (evidence, _))| {
            let p = pack.packer(id)?;
            Some(PackerFacts {
                id: p.id.clone(),
                name: p.name.clone(),
                vendor: p.vendor.clone(),
                kind: p.kind.as_str().to_owned(),
                evidence,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub(super) fn packer_present(facts: &AppFacts, kinds: &[PackerKind]) -> Vec<(Msg, Evidence)> {
    facts
        .packers
        .iter()
        .filter(|p| kinds.is_empty() || kinds.iter().any(|k| k.as_str() == p.kind))
        .map(|p| {
            let first = p.evidence.first();
            let entry = first.and_then(|e| {
                ["native library ", "asset ", "hidden payload "]
                    .iter()
                    .find_map(|k| e.strip_prefix(k))
                    .map(|path| path.split('!').next().unwrap_or(path).to_owned())
            });
            let message = match &p.vendor {
                Some(vendor) => Msg::new("packer.packed").text("vendor", vendor.clone()),
                None => Msg::new("packer.packed-no-vendor"),
            }
            .text("name", p.name.clone())
            .text("kind", p.kind.clone())
            .text("evidence", p.evidence.join("; "));
            (
                message,
                Evidence {
                    entry,
                    component: first
                        .and_then(|e| {
                            e.strip_prefix("application class ")
                                .or_else(|| e.strip_prefix("app component factory "))
                        })
                        .map(str::to_owned),
                    class: first
                        .and_then(|e| e.strip_prefix("class "))
                        .map(str::to_owned),
                    packer: Some(p.id.clone()),
                    ..Evidence::default()
                },
            )
        })
        .collect()
}
