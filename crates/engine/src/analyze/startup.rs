//! When code runs: the call graph from the app's entry points (`apkscope-graph`) over the
//! manifest's components and the pack's `[[entry]]`, `[[async]]` and `[[consent_gate]]`
//! tables; the trigger of every sensitive call site, the chains from startup and launch to
//! personal information and SDK initialisation, the privacy switches nothing calls — and the
//! `before-consent` evaluator over them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, mpsc};

use apkscope_facts::code::{CodeIndex, MethodId, Site};
use apkscope_facts::{
    AppFacts, CallGraphFacts, ChainHop, Evidence, Finding, PiPathFacts, PrivacySwitchFacts,
    SdkInitFacts, StartupFacts,
};
use apkscope_graph::{Analysis, AsyncSpec, Config, Hop, Limits, RootSpec, Trigger};
use apkscope_rules::{
    CompiledCheck, CompiledPack, ConsentCondition, EntryComponent, PiType, Trigger as RuleTrigger,
};

use super::fingerprinted_finding;
use super::message::{Arg, Msg};
use super::pi::{Access, owner_facts, owner_name_arg, short_api};
use crate::Guard;
use crate::attribution::{KIND_SDK, owner_name};

/// Personal-information types a finding's message names before "and N more".
const TYPES_IN_MESSAGE: usize = 6;

/// How good a chain is as evidence of collection before consent, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Grade {
    /// From a startup entry, no user action on the way.
    BeforeAnyUi,
    /// From the launcher activity's first lifecycle methods.
    OnLaunch,
    /// The entry reads a stored flag before the call: perhaps waiting for consent.
    Conditional,
    /// Only user callbacks reach it.
    AfterUserAction,
}

impl Grade {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::BeforeAnyUi => "before-any-ui",
            Self::OnLaunch => "on-launch",
            Self::Conditional => "conditional",
            Self::AfterUserAction => "after-user-action",
        }
    }
}

/// The call-graph view of one app: its [`StartupFacts`] and each access's triggers.
pub(crate) struct Startup {
    pub(super) facts: StartupFacts,
    /// Per access (in the order given), the trigger names of its sites.
    pub(super) triggers: Vec<Vec<String>>,
    /// Per behaviour site (in the order given), its triggers and best-graded chain.
    pub(super) sites: Vec<SiteReach>,
}

/// How the call graph reaches one call site.
#[derive(Debug, Clone, Default)]
pub(crate) struct SiteReach {
    /// Trigger names of the calling method.
    pub(crate) triggers: Vec<String>,
    /// The best grade and its chain, when an entry point reaches the site.
    pub(crate) best: Option<(Grade, Vec<ChainHop>)>,
}

/// What the scan asks the searches about: the sensitive-API uses, and the behaviour calls.
type Query = (Vec<Access>, Vec<Site>);

/// The graph's configuration for this app: the pack's entry kinds bound to the manifest's
/// components, the pack's async APIs and consent gates.
pub(crate) fn graph_config(facts: &AppFacts, pack: &CompiledPack, memory: u64) -> Config {
    let components = &facts.manifest.components;
    let launchers: BTreeSet<String> = components
        .iter()
        .filter(|c| c.kind == "activity" || c.kind == "activity-alias")
        .filter(|c| {
            c.intent_filters.iter().any(|f| {
                f.actions.iter().any(|a| a == "android.intent.action.MAIN")
                    && f.categories
                        .iter()
                        .any(|c| c == "android.intent.category.LAUNCHER")
            })
        })
        .map(|c| c.target_activity.clone().unwrap_or_else(|| c.name.clone()))
        .collect();
    let mut roots = Vec::new();
    for entry in pack.entries() {
        let trigger = match entry.trigger {
            RuleTrigger::Startup => Trigger::Startup,
            RuleTrigger::Launch => Trigger::Launch,
            RuleTrigger::Component => Trigger::Component,
            RuleTrigger::User => Trigger::User,
        };
        let classes: Vec<String> = match entry.component {
            None => {
                roots.push(RootSpec {
                    trigger,
                    class: None,
                    selectors: entry.methods.clone(),
                });
                continue;
            }
            Some(EntryComponent::Application) => {
                facts.manifest.application.name.iter().cloned().collect()
            }
            Some(EntryComponent::Provider) => of_kind(components, "provider"),
            Some(EntryComponent::Initializer) => components
                .iter()
                .filter(|c| c.kind == "provider")
                .flat_map(|c| &c.meta_data)
                .filter(|m| m.value.as_deref() == Some("androidx.startup"))
                .map(|m| m.name.clone())
                .collect(),
            Some(EntryComponent::LauncherActivity) => launchers.iter().cloned().collect(),
            Some(EntryComponent::Activity) => of_kind(components, "activity")
                .into_iter()
                .filter(|name| !launchers.contains(name))
                .collect(),
            Some(EntryComponent::Service) => of_kind(components, "service"),
            Some(EntryComponent::Receiver) => of_kind(components, "receiver"),
        };
        for class in classes {
            roots.push(RootSpec {
                trigger,
                class: Some(descriptor(&class)),
                selectors: entry.methods.clone(),
            });
        }
    }
    Config {
        roots,
        asyncs: pack
            .asyncs()
            .iter()
            .map(|a| AsyncSpec {
                apis: a.apis.clone(),
                callbacks: a.callbacks.clone(),
                periodic: a.periodic,
            })
            .collect(),
        consent_gates: pack
            .consent_gates()
            .iter()
            .flat_map(|g| g.apis.iter().cloned())
            .collect(),
        limits: limits_for(memory),
    }
}

/// The graph's bounds for a scan whose budget is `memory` bytes: its edges (and the maps that
/// grow with them) are held to about an eighth of the budget, and never beyond the default.
fn limits_for(memory: u64) -> Limits {
    let defaults = Limits::default();
    let edge_bytes = 12u64;
    let by_budget = usize::try_from(memory / 8 / edge_bytes).unwrap_or(usize::MAX);
    Limits {
        max_edges: by_budget.clamp(1 << 16, defaults.max_edges),
        ..defaults
    }
}

fn of_kind(components: &[apkscope_facts::Component], kind: &str) -> Vec<String> {
    components
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.name.clone())
        .collect()
}

/// `com.example.App` → `Lcom/example/App;`.
pub(crate) fn descriptor(class: &str) -> String {
    format!("L{};", class.replace('.', "/"))
}

/// `Lcom/example/App;` → `com.example.App`.
pub(crate) fn dotted(descriptor: &str) -> String {
    descriptor
        .trim_start_matches('L')
        .trim_end_matches(';')
        .replace('/', ".")
}

/// The names of the triggers that reach `method` (`startup`, `launch`…).
pub(super) fn trigger_names(analysis: &Analysis<'_>, method: MethodId) -> Vec<String> {
    analysis
        .triggers(method)
        .names()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// The call graph's searches for one scan, started as soon as the code index exists so that
/// they run on their own thread while the scan reads native libraries, signatures and the
/// network facts and looks the sensitive APIs up; [`Pending::finish`] hands them the API
/// uses and waits for the chains.
pub(crate) enum Pending {
    /// Running on a thread that waits for the accesses on `accesses`.
    Thread {
        accesses: mpsc::Sender<Query>,
        result: std::thread::JoinHandle<Option<Startup>>,
    },
    /// To run when finished (no thread could be started).
    Inline {
        index: Arc<CodeIndex>,
        config: Config,
        pack: Arc<CompiledPack>,
        guard: Guard,
    },
}

impl Pending {
    /// Starts the searches over `facts`'s code (its manifest read), or `None` without code.
    pub(crate) fn start(facts: &AppFacts, pack: &Arc<CompiledPack>, guard: &Guard) -> Option<Self> {
        if facts.code_index.dex.is_empty() {
            return None;
        }
        let index = Arc::clone(&facts.code_index);
        let config = graph_config(facts, pack, guard.budget().limit());
        let (sender, receiver) = mpsc::channel::<Query>();
        let (thread_index, thread_config, thread_pack, thread_guard) = (
            Arc::clone(&index),
            config.clone(),
            Arc::clone(pack),
            guard.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("apkscope-graph".to_owned())
            .spawn(move || {
                let stop = || thread_guard.should_stop();
                let analysis = apkscope_graph::analyze(&thread_index, &thread_config, &stop);
                // The scan gave up (dropped the sender): nothing to read off.
                let (accesses, sites) = receiver.recv().ok()?;
                Some(read_off(
                    analysis,
                    &thread_index,
                    &thread_pack,
                    &accesses,
                    &sites,
                ))
            });
        Some(match spawned {
            Ok(result) => Self::Thread {
                accesses: sender,
                result,
            },
            Err(_) => Self::Inline {
                index,
                config,
                pack: Arc::clone(pack),
                guard: guard.clone(),
            },
        })
    }

    /// The startup facts for these API uses and how the searches reach these behaviour call
    /// sites; `None` if the searches' thread died.
    pub(crate) fn finish(self, accesses: &[Access], sites: &[Site]) -> Option<Startup> {
        match self {
            Self::Thread {
                accesses: to,
                result,
            } => {
                to.send((accesses.to_vec(), sites.to_vec())).ok()?;
                result.join().ok().flatten()
            }
            Self::Inline {
                index,
                config,
                pack,
                guard,
            } => {
                let stop = || guard.should_stop();
                let analysis = apkscope_graph::analyze(&index, &config, &stop);
                Some(read_off(analysis, &index, &pack, accesses, sites))
            }
        }
    }
}

/// Reads off what runs before consent from the searches: each access's triggers, the
/// best-graded chains, SDK initialisation, uncalled privacy switches.
fn read_off(
    mut analysis: Analysis<'_>,
    index: &CodeIndex,
    pack: &CompiledPack,
    accesses: &[Access],
    behaviour_sites: &[Site],
) -> Startup {
    let mut triggers = Vec::with_capacity(accesses.len());
    let mut pi_paths = Vec::new();
    for access in accesses {
        let mut union = apkscope_graph::Triggers::default();
        for &(method, _) in &access.sites {
            union = union.union(analysis.triggers(method));
        }
        triggers.push(union.names().into_iter().map(str::to_owned).collect());
        if !access.collects(pack) {
            continue;
        }
        let Some(api) = pack.apis().get(access.api) else {
            continue;
        };
        let sites: Vec<Site> = access
            .sites
            .iter()
            .map(|&(method, pc)| Site { method, pc })
            .collect();
        if let Some((grade, chain)) = best_chain(&mut analysis, index, &sites) {
            pi_paths.push(PiPathFacts {
                grade: grade.as_str().to_owned(),
                entry: chain.first().map(|h| h.method.clone()).unwrap_or_default(),
                sink: api.signature.clone(),
                api: api.id.clone(),
                pi_type: api.pi_type.as_str().to_owned(),
                owner: owner_name(access.owner, pack),
                chain,
            });
        }
    }
    let mut sdk_init = Vec::new();
    let mut privacy_switches_uncalled = Vec::new();
    for sdk in pack.sdks() {
        for call in &sdk.init_apis {
            let sites = index.call_sites(call);
            if let Some((grade, chain)) = best_chain(&mut analysis, index, &sites)
                && grade != Grade::AfterUserAction
            {
                sdk_init.push(SdkInitFacts {
                    sdk: sdk.id.clone(),
                    grade: grade.as_str().to_owned(),
                    entry: chain.first().map(|h| h.method.clone()).unwrap_or_default(),
                    call: call.clone(),
                    pc: chain.last().map_or(0, |h| h.pc),
                    chain,
                });
            }
        }
        let defined: Vec<&String> = sdk
            .privacy_switches
            .iter()
            .filter(|s| defined(index, s).is_some())
            .collect();
        if !defined.is_empty() && defined.iter().all(|s| index.call_sites(s).is_empty()) {
            privacy_switches_uncalled.extend(defined.into_iter().map(|api| PrivacySwitchFacts {
                sdk: sdk.id.clone(),
                api: api.clone(),
            }));
        }
    }
    let sites = behaviour_sites
        .iter()
        .map(|site| SiteReach {
            triggers: trigger_names(&analysis, site.method),
            best: best_chain(&mut analysis, index, std::slice::from_ref(site)),
        })
        .collect();
    let stats = analysis.stats();
    Startup {
        facts: StartupFacts {
            sdk_init,
            pi_paths,
            privacy_switches_uncalled,
            truncated: analysis.truncated(),
            graph: CallGraphFacts {
                methods: stats.methods,
                entries: stats.entries,
                reached: stats.reached,
                edges: stats.edges,
                capped_sites: stats.capped_sites,
            },
        },
        triggers,
        sites,
    }
}

/// The best-graded chain to any of `sites`: from startup with no stored-flag read, else from
/// launch, else a conditional one, else through a user callback; the shortest of its grade.
fn best_chain(
    analysis: &mut Analysis<'_>,
    index: &CodeIndex,
    sites: &[Site],
) -> Option<(Grade, Vec<ChainHop>)> {
    let mut best: Option<(Grade, usize, Vec<Hop>, u32)> = None;
    let consider = |grade: Grade, chain: Vec<Hop>, pc: u32, best: &mut Option<_>| {
        let better = match best {
            None => true,
            Some((g, len, _, _)) => (grade, chain.len()) < (*g, *len),
        };
        if better {
            *best = Some((grade, chain.len(), chain, pc));
        }
    };
    for site in sites {
        for (trigger, grade) in [
            (Trigger::Startup, Grade::BeforeAnyUi),
            (Trigger::Launch, Grade::OnLaunch),
        ] {
            if let Some(chain) = analysis.path(trigger, site.method) {
                let grade = if analysis.conditional(&chain, site.pc) {
                    Grade::Conditional
                } else {
                    grade
                };
                consider(grade, chain, site.pc, &mut best);
            }
        }
        if let Some(chain) = analysis.path(Trigger::User, site.method) {
            consider(Grade::AfterUserAction, chain, site.pc, &mut best);
        }
    }
    let (grade, _, chain, pc) = best?;
    Some((grade, render_chain(index, &chain, pc)))
}

/// Hops as the report shows them; the last hop's pc is the site's.
pub(crate) fn render_chain(index: &CodeIndex, chain: &[Hop], last_pc: u32) -> Vec<ChainHop> {
    chain
        .iter()
        .map(|hop| ChainHop {
            method: index.method_signature(hop.method).unwrap_or_default(),
            pc: hop.pc.unwrap_or(last_pc),
            via: hop.via.as_str().to_owned(),
        })
        .collect()
}

/// The method the app defines with this signature (its loaded class's own).
pub(super) fn defined(index: &CodeIndex, signature: &str) -> Option<MethodId> {
    let (class, _, _) = apkscope_facts::code::split_method_signature(signature)?;
    let id = index.class(class)?;
    let record = index.class_record(id)?;
    let count = record.direct_methods.saturating_add(record.virtual_methods);
    (record.methods_start..record.methods_start.saturating_add(count))
        .map(|method| MethodId {
            dex: id.dex,
            method,
        })
        .find(|&m| index.method_signature(m).as_deref() == Some(signature))
}

/// Findings of one `before-consent` check.
pub(super) fn before_consent(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    condition: ConsentCondition,
) -> Vec<Finding> {
    let Some(startup) = &facts.startup else {
        return Vec::new();
    };
    match condition {
        ConsentCondition::PiCollected => pi_before_consent(
            facts,
            pack,
            check,
            startup,
            &[Grade::BeforeAnyUi, Grade::OnLaunch],
        ),
        ConsentCondition::PiCollectedConditional => {
            pi_before_consent(facts, pack, check, startup, &[Grade::Conditional])
        }
        ConsentCondition::SdkInitialised => sdk_initialised(facts, pack, check, startup),
        ConsentCondition::PrivacySwitchUncalled => switch_uncalled(facts, pack, check, startup),
    }
}

fn parse_grade(s: &str) -> Option<Grade> {
    [
        Grade::BeforeAnyUi,
        Grade::OnLaunch,
        Grade::Conditional,
        Grade::AfterUserAction,
    ]
    .into_iter()
    .find(|g| g.as_str() == s)
}

/// Owner → personal-information type → its best-graded path (the shortest of the grade), for
/// the types the platform gives this app.
fn best_per_owner_and_type<'s>(
    facts: &AppFacts,
    pack: &CompiledPack,
    startup: &'s StartupFacts,
) -> BTreeMap<&'s str, BTreeMap<&'s str, (Grade, &'s PiPathFacts)>> {
    let mut by_owner: BTreeMap<&str, BTreeMap<&str, (Grade, &PiPathFacts)>> = BTreeMap::new();
    for path in &startup.pi_paths {
        let Some(grade) = parse_grade(&path.grade) else {
            continue;
        };
        let Some(pi_type) = PiType::parse(&path.pi_type) else {
            continue;
        };
        // What the platform does not give this app is not collected, early or late.
        let blocked = pack
            .apis()
            .iter()
            .find(|a| a.id == path.api)
            .is_some_and(|a| super::pi::api_blocked(facts, pack, a).is_some());
        if blocked || !super::pi::is_personal(pack, pi_type) {
            continue;
        }
        let slot = by_owner
            .entry(path.owner.as_str())
            .or_default()
            .entry(path.pi_type.as_str())
            .or_insert((grade, path));
        if (grade, path.chain.len()) < (slot.0, slot.1.chain.len()) {
            *slot = (grade, path);
        }
    }
    by_owner
}

/// One finding per owner (SDK, app, library) whose personal-information types reached at
/// startup have their best chain graded one of `grades`: the types listed, the chain of the
/// most sensitive of them (the shortest on a tie) as evidence, every API reached in `apis`.
/// APIs the platform does not give this app are left out.
fn pi_before_consent(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    startup: &StartupFacts,
    grades: &[Grade],
) -> Vec<Finding> {
    let by_owner = best_per_owner_and_type(facts, pack, startup);
    let severity = |pi_type: &str| {
        PiType::parse(pi_type)
            .and_then(|t| pack.pi_type(t))
            .map(|t| t.severity)
    };
    by_owner
        .into_iter()
        .filter_map(|(owner_id, types)| {
            let chosen: Vec<(&str, Grade, &PiPathFacts)> = types
                .into_iter()
                .filter(|(_, (grade, _))| grades.contains(grade))
                .map(|(t, (g, p))| (t, g, p))
                .collect();
            let grade = chosen.iter().map(|c| c.1).min()?;
            // The evidence: the most sensitive type of the best grade, its shortest chain.
            let (shown_type, _, shown) = chosen
                .iter()
                .filter(|c| c.1 == grade)
                .min_by_key(|c| (std::cmp::Reverse(severity(c.0)), c.2.chain.len()))
                .copied()?;
            let mut sinks: BTreeSet<&str> = BTreeSet::new();
            for (_, _, path) in &chosen {
                sinks.insert(path.sink.as_str());
            }
            for path in &startup.pi_paths {
                if path.owner == owner_id && chosen.iter().any(|c| c.0 == path.pi_type) {
                    sinks.insert(path.sink.as_str());
                }
            }
            let kind = facts
                .pi_access
                .iter()
                .find(|a| a.by == owner_id)
                .map_or(KIND_SDK, |a| a.owner.as_str());
            let owner = owner_facts(facts, pack, kind, owner_id, None);
            let labels = Arg::list(
                chosen.iter().map(|c| {
                    PiType::parse(c.0)
                        .and_then(|t| pack.pi_type(t))
                        .map_or_else(
                            || Arg::Text(c.0.to_owned()),
                            |t| Arg::Both {
                                en: t.name.clone(),
                                zh: t.name_zh.clone(),
                            },
                        )
                }),
                TYPES_IN_MESSAGE,
                false,
            );
            let message = match grade {
                Grade::BeforeAnyUi => Msg::new("consent.pi-before-any-ui"),
                Grade::OnLaunch => Msg::new("consent.pi-on-launch"),
                _ => Msg::new("consent.pi-conditional"),
            }
            .msg("owner", super::pi::owner_msg(pack, &owner))
            .arg("pi_types", labels)
            .text("api", short_api(&shown.sink))
            .text("entry", short_method(&shown.entry))
            .count(
                "calls",
                u64::try_from(shown.chain.len().saturating_sub(1)).unwrap_or(0),
            );
            let last = shown.chain.last();
            let evidence = Evidence {
                sdk: (owner.kind == KIND_SDK).then(|| owner.id.clone()),
                class: last.map(|h| class_of_signature(&h.method).to_owned()),
                method: last.map(|h| h.method.clone()),
                api: Some(shown.sink.clone()),
                ..Evidence::default()
            };
            let fingerprint = super::fingerprint(&[
                check.check.id.as_str(),
                owner.kind.as_str(),
                owner.id.as_str(),
            ]);
            Some(Finding {
                owner: Some(owner),
                // One type: the finding is about it; several: they are in the message and
                // `apis`, the chain is the most sensitive one's.
                pi_type: (chosen.len() == 1).then(|| shown_type.to_owned()),
                confidence: Some(grade.as_str().to_owned()),
                apis: sinks.iter().map(|s| (*s).to_owned()).collect(),
                chain: shown.chain.clone(),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            })
        })
        .collect()
}

/// One finding per SDK initialised from startup or launch: its best chain.
fn sdk_initialised(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    startup: &StartupFacts,
) -> Vec<Finding> {
    let mut best: BTreeMap<&str, &SdkInitFacts> = BTreeMap::new();
    for init in &startup.sdk_init {
        let grade = parse_grade(&init.grade);
        let slot = best.entry(init.sdk.as_str()).or_insert(init);
        if (grade, init.chain.len()) < (parse_grade(&slot.grade), slot.chain.len()) {
            *slot = init;
        }
    }
    best.into_values()
        .map(|init| {
            let owner = owner_facts(facts, pack, KIND_SDK, &init.sdk, None);
            let message = match parse_grade(&init.grade) {
                Some(Grade::BeforeAnyUi) => Msg::new("consent.sdk-init-before-any-ui"),
                Some(Grade::OnLaunch) => Msg::new("consent.sdk-init-on-launch"),
                _ => Msg::new("consent.sdk-init-conditional"),
            }
            .arg("name", owner_name_arg(pack, &owner))
            .text("api", short_api(&init.call))
            .text("entry", short_method(&init.entry));
            let evidence = Evidence {
                sdk: Some(init.sdk.clone()),
                class: Some(class_of_signature(&init.entry).to_owned()),
                method: Some(init.entry.clone()),
                api: Some(init.call.clone()),
                ..Evidence::default()
            };
            let fingerprint =
                super::fingerprint(&[check.check.id.as_str(), KIND_SDK, init.sdk.as_str()]);
            Finding {
                owner: Some(owner),
                confidence: Some(init.grade.clone()),
                apis: vec![init.call.clone()],
                chain: init.chain.clone(),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            }
        })
        .collect()
}

/// One finding per SDK whose privacy switches are all uncalled.
fn switch_uncalled(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    startup: &StartupFacts,
) -> Vec<Finding> {
    let mut by_sdk: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &startup.privacy_switches_uncalled {
        by_sdk
            .entry(s.sdk.as_str())
            .or_default()
            .push(s.api.as_str());
    }
    by_sdk
        .into_iter()
        .map(|(sdk, apis)| {
            let owner = owner_facts(facts, pack, KIND_SDK, sdk, None);
            let message = Msg::new("consent.privacy-switch-uncalled")
                .arg("name", owner_name_arg(pack, &owner))
                .arg(
                    "apis",
                    Arg::list(apis.iter().map(|a| Arg::Text(short_api(a))), 3, false),
                );
            let evidence = Evidence {
                sdk: Some(sdk.to_owned()),
                class: apis.first().map(|a| class_of_signature(a).to_owned()),
                api: apis.first().map(|a| (*a).to_owned()),
                ..Evidence::default()
            };
            let fingerprint = super::fingerprint(&[check.check.id.as_str(), KIND_SDK, sdk]);
            Finding {
                owner: Some(owner),
                apis: apis.iter().map(|a| (*a).to_owned()).collect(),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            }
        })
        .collect()
}

/// `Lcom/x/App;->onCreate()V` → `com.x.App.onCreate()`.
pub(crate) fn short_method(signature: &str) -> String {
    let Some((class, member)) = signature.split_once("->") else {
        return signature.to_owned();
    };
    let name = member.split_once('(').map_or(member, |(name, _)| name);
    format!("{}.{name}()", dotted(class))
}

fn class_of_signature(signature: &str) -> &str {
    signature.split_once("->").map_or(signature, |(c, _)| c)
}
