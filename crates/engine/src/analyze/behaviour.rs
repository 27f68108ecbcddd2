//! Behaviour: what the code asks of the user and of other apps. The collector rebuilt the
//! argument of every `[[behaviour_api]]` call while indexing (`collect::values`); this module
//! turns those sites into `behaviour` facts (permission requests, associated starts, receivers
//! registered in code), owned and reached like every other site, and evaluates the
//! `permission-request`, `associated-start` and `registered-receiver` checks over them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use apkscope_facts::code::{ArgValue, CodeIndex, IntentValue, MethodId, Site, TargetPackage};
use apkscope_facts::{
    AppFacts, AssociatedStartFacts, BackgroundCaptureFacts, BehaviourFacts, CallSiteFacts,
    Component, Evidence, Finding, KeepAliveFacts, OwnerFacts, PackageProbeFacts,
    PermissionRequestFacts, RegisteredReceiverFacts, SettingsIntentFacts, SmsSendFacts,
};
use apkscope_rules::{
    BehaviourRole, CompiledCheck, CompiledPack, RequestCondition, StartDirection,
};

use super::fingerprinted_finding;
use super::message::{Arg, Msg};
use super::pi::owner_msg;
use super::startup::{Grade, SiteReach};
use crate::attribution::{
    Attribution, KIND_OPEN_SOURCE_LIBRARY, KIND_PLATFORM_LIBRARY, KIND_SDK, class_of,
};

/// Lifecycle methods a request can sit in, as the report names them.
const LIFECYCLE: &[&str] = &[
    "onCreate",
    "onStart",
    "onRestart",
    "onResume",
    "onPostResume",
    "onWindowFocusChanged",
    "onAttach",
    "onCreateView",
    "onViewCreated",
    "onActivityCreated",
];
/// Lifecycle methods that run again each time the user comes back to the screen: a request
/// there asks again after a refusal.
const RUNS_AGAIN: &[&str] = &["onStart", "onRestart", "onResume", "onPostResume"];
/// Items named in a message before "and N more".
const IN_MESSAGE: usize = 4;

/// What makes calls one request: the calling method, and for a wrapper library's chained
/// calls the call that made the builder (else the call's own pc).
type RequestKey = (MethodId, Option<(u32, u32)>, u32);

/// A `[[behaviour_api]]` call with its argument rebuilt.
#[derive(Debug, Clone)]
pub(crate) struct BehaviourSite {
    pub(crate) method: MethodId,
    pub(crate) pc: u32,
    api: usize,
    /// The API as the code names it (smali signature of the reference).
    callee: String,
    value: ArgValue,
    receiver_from: Option<(u32, u32)>,
}

impl BehaviourSite {
    pub(crate) fn site(&self) -> Site {
        Site {
            method: self.method,
            pc: self.pc,
        }
    }
}

/// Every behaviour site of the app, static-field arrays resolved across dex files.
pub(crate) fn find_sites(index: &CodeIndex) -> Vec<BehaviourSite> {
    let statics: HashMap<&str, &Vec<String>> = index
        .dex
        .iter()
        .flat_map(|d| {
            d.static_arrays
                .iter()
                .map(|a| (a.field.as_str(), &a.values))
        })
        .collect();
    let mut out = Vec::new();
    for (dex_no, dex) in index.dex.iter().enumerate() {
        let dex_id = u32::try_from(dex_no).unwrap_or(u32::MAX);
        for site in &dex.value_sites {
            let value = match &site.value {
                ArgValue::StaticField(field) => {
                    statics
                        .get(field.as_str())
                        .map_or(ArgValue::Unknown, |values| ArgValue::Strings {
                            values: (*values).clone(),
                            complete: true,
                        })
                }
                other => other.clone(),
            };
            out.push(BehaviourSite {
                method: MethodId {
                    dex: dex_id,
                    method: site.method,
                },
                pc: site.pc,
                api: usize::try_from(site.api).unwrap_or(usize::MAX),
                callee: dex.method_ref_string(site.callee).unwrap_or_default(),
                value,
                receiver_from: site.receiver_from.map(|m| (dex_id, m)),
            });
        }
    }
    out
}

/// The `behaviour` facts of the app from its sites (and, with the call graph, how each is
/// reached: `reach` is in the order of `sites`).
pub(crate) fn behaviour_facts(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
    sites: &[BehaviourSite],
    reach: Option<&[SiteReach]>,
    accesses: &[super::pi::Access],
) -> BehaviourFacts {
    let index = &facts.code_index;
    let own_authorities = own_authorities(facts);
    let mut out = BehaviourFacts::default();
    // Chained wrapper calls on one builder in one method make one request.
    let mut requests: BTreeMap<RequestKey, PermissionRequestFacts> = BTreeMap::new();
    // A method that starts a run-time chosen target also wakes through the providers it calls.
    let mut wake_methods: BTreeSet<MethodId> = BTreeSet::new();
    let mut provider_calls: Vec<(usize, &BehaviourSite)> = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let Some(api) = pack.behaviour_apis().get(site.api) else {
            continue;
        };
        let call_site = || call_site(facts, pack, attribution, site, reach.and_then(|r| r.get(i)));
        match api.role {
            BehaviourRole::RequestPermissions => {
                add_request(&mut requests, index, api, site, call_site());
            }
            BehaviourRole::RegisterReceiver => {
                if let ArgValue::Intent(filter) = &site.value
                    && !filter.actions.is_empty()
                {
                    out.registered_receivers.push(RegisteredReceiverFacts {
                        site: call_site(),
                        actions: filter.actions.clone(),
                    });
                }
            }
            BehaviourRole::ProviderCall => provider_calls.push((i, site)),
            BehaviourRole::StartActivity
            | BehaviourRole::StartService
            | BehaviourRole::BindService
            | BehaviourRole::SendBroadcast => {
                if let Some(k) = foreground_from_receiver(index, site, call_site) {
                    out.keep_alive.push(k);
                }
                let ArgValue::Intent(intent) = &site.value else {
                    continue;
                };
                if api.role == BehaviourRole::StartActivity
                    && let Some(action) = intent.actions.iter().find(|a| is_settings_action(a))
                {
                    out.settings_intents.push(SettingsIntentFacts {
                        site: call_site(),
                        action: action.clone(),
                    });
                }
                let Some(target) = foreign_target(facts, intent) else {
                    continue;
                };
                if matches!(target.0, "list" | "installed-apps") {
                    wake_methods.insert(site.method);
                }
                out.associated_starts
                    .push(start_facts(call_site(), api.role, target, intent));
            }
            BehaviourRole::RepeatingSchedule => {
                let call = call_site();
                out.keep_alive.push(KeepAliveFacts {
                    mechanism: "repeating-schedule".to_owned(),
                    component: None,
                    detail: Some(super::startup::short_method(&call.api)),
                    method: Some(call.method),
                    owner: call.owner,
                });
            }
            BehaviourRole::PackageProbe => {
                out.package_probes
                    .extend(package_probe_of(facts, &site.value, call_site));
            }
            BehaviourRole::SendSms => out.sms_sends.push(SmsSendFacts {
                site: call_site(),
                destinations: match &site.value {
                    ArgValue::Strings { values, .. } => values.clone(),
                    _ => Vec::new(),
                },
            }),
        }
    }
    for (i, site) in provider_calls {
        let Some(start) = provider_start(site, &own_authorities, &wake_methods) else {
            continue;
        };
        let call = call_site(facts, pack, attribution, site, reach.and_then(|r| r.get(i)));
        out.associated_starts.push(AssociatedStartFacts {
            site: call,
            ..start
        });
    }
    for mut request in requests.into_values() {
        request.groups = groups_of(pack, &request.permissions);
        out.permission_requests.push(request);
    }
    out.permission_result_exits = permission_result_exits(facts, pack, attribution);
    out.background_capture = background_capture(facts, pack, attribution, accesses);
    out.keep_alive
        .extend(restarting_services(facts, pack, attribution));
    out.keep_alive
        .extend(manifest_keep_alive(facts, pack, attribution));
    out
}

/// Adds a request call to the requests of its method: one request per call, or per builder
/// for a wrapper library's chained calls. A library's own plumbing forwards its caller's
/// permissions: only constants it asks for itself are its request.
fn add_request(
    requests: &mut BTreeMap<RequestKey, PermissionRequestFacts>,
    index: &CodeIndex,
    api: &apkscope_rules::BehaviourApi,
    site: &BehaviourSite,
    call: CallSiteFacts,
) {
    let (permissions, complete) = permissions_of(&site.value);
    let library = matches!(
        call.owner.kind.as_str(),
        KIND_PLATFORM_LIBRARY | KIND_OPEN_SOURCE_LIBRARY
    );
    if permissions.is_empty() && library {
        return;
    }
    let key = match site.receiver_from {
        Some(from) if api.library.is_some() => (site.method, Some(from), 0),
        _ => (site.method, None, site.pc),
    };
    let entry = requests
        .entry(key)
        .or_insert_with(|| PermissionRequestFacts {
            lifecycle: lifecycle_of(index, site.method),
            library: api.library.clone(),
            site: call,
            ..PermissionRequestFacts::default()
        });
    entry.complete = if entry.permissions.is_empty() {
        complete
    } else {
        entry.complete && complete
    };
    for p in permissions {
        if !entry.permissions.contains(&p) {
            entry.permissions.push(p);
        }
    }
}

/// `onStartCommand` returns that ask the system to restart the service after its process is
/// killed: `START_STICKY_COMPATIBILITY` (0), `START_STICKY` (1), `START_REDELIVER_INTENT` (3).
/// The default implementation is sticky too, but only an explicit constant is the app's
/// choice.
const RESTARTING: &[(i64, &str)] = &[
    (0, "START_STICKY_COMPATIBILITY"),
    (1, "START_STICKY"),
    (3, "START_REDELIVER_INTENT"),
];

fn restarting_services(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
) -> Vec<KeepAliveFacts> {
    let index = &facts.code_index;
    let mut seen: BTreeMap<String, Vec<&'static str>> = BTreeMap::new();
    for (dex_no, dex) in index.dex.iter().enumerate() {
        let dex_id = u32::try_from(dex_no).unwrap_or(u32::MAX);
        for &(record, value) in &dex.start_command_returns {
            let Some(&(_, name)) = RESTARTING.iter().find(|(v, _)| *v == value) else {
                continue;
            };
            let method = MethodId {
                dex: dex_id,
                method: record,
            };
            if let Some(signature) = index.method_signature(method) {
                let names = seen.entry(signature).or_default();
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    seen.into_iter()
        .map(|(signature, names)| {
            let class = signature.split_once("->").map_or("", |(c, _)| c);
            let component = declared_service(facts, class).map(|c| c.name.clone());
            KeepAliveFacts {
                mechanism: "restarting-service".to_owned(),
                owner: super::manifest::class_owner(facts, pack, attribution, class),
                component,
                detail: Some(names.join("/")),
                method: Some(signature),
            }
        })
        .collect()
}

/// The manifest's keep-alive mechanisms: sync adapters and account authenticators (the
/// system binds them for account sync, which restarts the process), and components running in
/// a process of their own.
fn manifest_keep_alive(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
) -> Vec<KeepAliveFacts> {
    let main = facts
        .manifest
        .application
        .process
        .clone()
        .or_else(|| facts.app.package.clone());
    let mut out = Vec::new();
    for c in &facts.manifest.components {
        if c.enabled == Some(false) {
            continue;
        }
        let owner = || super::manifest::component_owner(facts, pack, attribution, &c.name);
        let heard = |action: &str| {
            c.intent_filters
                .iter()
                .any(|f| f.actions.iter().any(|a| a == action))
        };
        if c.kind == "service" {
            for (action, mechanism) in [
                ("android.content.SyncAdapter", "sync-adapter"),
                (
                    "android.accounts.AccountAuthenticator",
                    "account-authenticator",
                ),
            ] {
                if heard(action) {
                    out.push(KeepAliveFacts {
                        mechanism: mechanism.to_owned(),
                        component: Some(c.name.clone()),
                        owner: owner(),
                        ..KeepAliveFacts::default()
                    });
                }
            }
        }
        if let Some(process) = c.process.as_ref().filter(|p| Some(*p) != main.as_ref()) {
            out.push(KeepAliveFacts {
                mechanism: "extra-process".to_owned(),
                component: Some(c.name.clone()),
                detail: Some(process.clone()),
                owner: owner(),
                ..KeepAliveFacts::default()
            });
        }
    }
    out
}

/// Where a call is and who owns it.
fn call_site(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
    site: &BehaviourSite,
    reach: Option<&SiteReach>,
) -> CallSiteFacts {
    let index = &facts.code_index;
    let class = class_of(index, site.method).unwrap_or_default();
    CallSiteFacts {
        method: index.method_signature(site.method).unwrap_or_default(),
        pc: site.pc,
        api: site.callee.clone(),
        owner: super::manifest::class_owner(facts, pack, attribution, class),
        triggers: reach.map(|r| r.triggers.clone()).unwrap_or_default(),
        grade: reach
            .and_then(|r| r.best.as_ref())
            .map(|(g, _)| g.as_str().to_owned()),
        chain: reach
            .and_then(|r| r.best.as_ref())
            .filter(|(g, _)| matches!(g, Grade::BeforeAnyUi | Grade::OnLaunch))
            .map(|(_, chain)| chain.clone())
            .unwrap_or_default(),
    }
}

fn lifecycle_of(index: &CodeIndex, method: MethodId) -> Option<String> {
    let signature = index.method_signature(method)?;
    let (_, name, _) = apkscope_facts::code::split_method_signature(&signature)?;
    LIFECYCLE.contains(&name).then(|| name.to_owned())
}

/// The permission names an argument holds (strings that name a permission), and whether
/// they are the whole argument.
fn permissions_of(value: &ArgValue) -> (Vec<String>, bool) {
    match value {
        ArgValue::Strings { values, complete } => {
            let permissions: Vec<String> = values
                .iter()
                .filter(|v| is_permission_name(v))
                .cloned()
                .collect();
            let complete = *complete && permissions.len() == values.len();
            (permissions, complete)
        }
        _ => (Vec::new(), false),
    }
}

/// `android.permission.CAMERA`, `com.vendor.permission.X`: a permission's name. The
/// `ActivityResultLauncher.launch` API also takes other inputs (URIs, intents' strings).
fn is_permission_name(s: &str) -> bool {
    s.contains(".permission.")
}

/// The TC260 groups of these permissions, sorted.
fn groups_of(pack: &CompiledPack, permissions: &[String]) -> Vec<String> {
    let groups: BTreeSet<&str> = permissions
        .iter()
        .filter_map(|p| {
            pack.permission(p)?
                .group
                .map(apkscope_rules::Tc260Group::as_str)
        })
        .collect();
    groups.into_iter().map(str::to_owned).collect()
}

/// `(target kind, package, query)` when the intent names a package other than the app's.
fn foreign_target(
    facts: &AppFacts,
    intent: &IntentValue,
) -> Option<(&'static str, Option<String>, Option<String>)> {
    match intent.package.as_ref()? {
        TargetPackage::Own => None,
        TargetPackage::Constant(p) => (!is_own_package(facts, p) && !is_launcher(p))
            .then(|| ("constant", Some(p.clone()), None)),
        TargetPackage::InstalledApps(query) => Some(("installed-apps", None, Some(query.clone()))),
        TargetPackage::FromList => Some(("list", None, None)),
        TargetPackage::Runtime => Some(("runtime", None, None)),
    }
}

/// A home-screen launcher (`com.sec.android.app.launcher`): badge broadcasts to it do not
/// start another app, the home app always runs.
fn is_launcher(package: &str) -> bool {
    package
        .split('.')
        .any(|part| part == "launcher" || part == "launcher3" || part == "home")
}

/// The app's own package (and a placeholder the build did not replace).
fn is_own_package(facts: &AppFacts, package: &str) -> bool {
    package.is_empty() || facts.app.package.as_deref() == Some(package) || package.contains("${")
}

fn start_facts(
    site: CallSiteFacts,
    role: BehaviourRole,
    (target, package, query): (&'static str, Option<String>, Option<String>),
    intent: &IntentValue,
) -> AssociatedStartFacts {
    AssociatedStartFacts {
        site,
        how: role.as_str().to_owned(),
        target: target.to_owned(),
        package,
        class: intent.class.clone(),
        query,
        uri: intent.uri.clone(),
        action: intent.actions.first().cloned(),
    }
}

/// A probe of other apps by name: the constant package names other than the app's.
fn package_probe_of(
    facts: &AppFacts,
    value: &ArgValue,
    call: impl FnOnce() -> CallSiteFacts,
) -> Option<PackageProbeFacts> {
    let ArgValue::Strings { values, .. } = value else {
        return None;
    };
    let packages: Vec<String> = values
        .iter()
        .filter(|p| !is_own_package(facts, p) && p.contains('.'))
        .cloned()
        .collect();
    (!packages.is_empty()).then(|| PackageProbeFacts {
        site: call(),
        packages,
    })
}

/// A foreground service started from a broadcast receiver: a system event (boot, a push
/// message) brings up a service the system keeps running.
fn foreground_from_receiver(
    index: &CodeIndex,
    site: &BehaviourSite,
    call: impl Fn() -> CallSiteFacts,
) -> Option<KeepAliveFacts> {
    if !site.callee.contains("->startForegroundService(") {
        return None;
    }
    let class = class_of(index, site.method)?;
    let is_receiver = index
        .superclass_chain(class)
        .iter()
        .any(|c| c == "Landroid/content/BroadcastReceiver;");
    is_receiver.then(|| {
        let call = call();
        KeepAliveFacts {
            mechanism: "foreground-from-receiver".to_owned(),
            component: None,
            detail: None,
            method: Some(call.method),
            owner: call.owner,
        }
    })
}

/// The manifest's `<service>` entry for the class `descriptor`, if it declares one.
fn declared_service<'f>(facts: &'f AppFacts, descriptor: &str) -> Option<&'f Component> {
    let name = super::startup::dotted(descriptor);
    facts
        .manifest
        .components
        .iter()
        .find(|c| c.kind == "service" && c.name == name)
}

/// Service base classes of the platform: a class whose superclass chain reaches one is a
/// service.
const SERVICE_BASES: &[&str] = &[
    "Landroid/app/Service;",
    "Landroid/app/IntentService;",
    "Landroid/app/job/JobService;",
];

/// Camera and microphone sites in services that do not declare the matching foreground
/// service type, one per service, type and API.
fn background_capture(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
    accesses: &[super::pi::Access],
) -> Vec<BackgroundCaptureFacts> {
    let index = &facts.code_index;
    let mut out: BTreeMap<(String, String, String), BackgroundCaptureFacts> = BTreeMap::new();
    for access in accesses {
        let Some(api) = pack.apis().get(access.api) else {
            continue;
        };
        let pi_type = api.pi_type.as_str();
        if !matches!(pi_type, "camera" | "microphone") || !api.collects {
            continue;
        }
        for &(method, pc) in &access.sites {
            let Some(class) = class_of(index, method) else {
                continue;
            };
            let chain = index.superclass_chain(class);
            if !chain.iter().any(|c| SERVICE_BASES.contains(&c.as_str())) {
                continue;
            }
            let dotted = super::startup::dotted(class);
            let fst =
                declared_service(facts, class).and_then(|c| c.foreground_service_type.clone());
            if fst
                .as_deref()
                .is_some_and(|t| t.split('|').any(|t| t == pi_type))
            {
                continue;
            }
            out.entry((dotted.clone(), pi_type.to_owned(), api.signature.clone()))
                .or_insert_with(|| BackgroundCaptureFacts {
                    site: CallSiteFacts {
                        method: index.method_signature(method).unwrap_or_default(),
                        pc,
                        api: api.signature.clone(),
                        owner: super::manifest::class_owner(facts, pack, attribution, class),
                        ..CallSiteFacts::default()
                    },
                    pi_type: pi_type.to_owned(),
                    service: dotted,
                    foreground_service_type: fst,
                });
        }
    }
    out.into_values().collect()
}

/// A settings screen's action: the `android.settings.` actions and the device-admin request.
fn is_settings_action(action: &str) -> bool {
    action.starts_with("android.settings.") || action == "android.app.action.ADD_DEVICE_ADMIN"
}

/// The content-provider authorities the app declares.
fn own_authorities(facts: &AppFacts) -> BTreeSet<String> {
    facts
        .manifest
        .components
        .iter()
        .filter(|c| c.kind == "provider")
        .flat_map(|c| c.authorities.iter().cloned())
        .collect()
}

/// A provider call that wakes another app: a constant `content://` URI of an authority the app
/// does not declare and the platform does not own, or a run-time URI in a method that also
/// starts run-time chosen targets (a wake routine).
fn provider_start(
    site: &BehaviourSite,
    own: &BTreeSet<String>,
    wake_methods: &BTreeSet<MethodId>,
) -> Option<AssociatedStartFacts> {
    let (target, uri, package) = match &site.value {
        ArgValue::Strings { values, .. } => {
            let uri = values.first()?;
            let authority = uri
                .strip_prefix("content://")?
                .split(['/', '?'])
                .next()
                .unwrap_or_default();
            if authority.is_empty() || own.contains(authority) || is_platform_authority(authority) {
                return None;
            }
            ("constant", Some(uri.clone()), Some(authority.to_owned()))
        }
        ArgValue::Runtime if wake_methods.contains(&site.method) => ("list", None, None),
        _ => return None,
    };
    Some(AssociatedStartFacts {
        how: BehaviourRole::ProviderCall.as_str().to_owned(),
        target: target.to_owned(),
        package,
        uri,
        ..AssociatedStartFacts::default()
    })
}

/// The platform's own providers (contacts, media, settings, telephony…) and the home
/// screen's: calling them does not start another app. Platform authorities are single words
/// or under `com.android.`, `android.` and `com.google.android.`; launchers' badge and
/// settings providers (`com.huawei.android.launcher.settings`) belong to the home app, which
/// always runs.
fn is_platform_authority(authority: &str) -> bool {
    !authority.contains('.')
        || authority.starts_with("com.android.")
        || authority.starts_with("android.")
        || authority.starts_with("com.google.android.")
        || authority
            .split('.')
            .any(|part| part == "launcher" || part == "launcher3")
}

/// The evidence of a behaviour call.
fn site_evidence(site: &CallSiteFacts) -> Evidence {
    let class = site.method.split_once("->").map(|(c, _)| c.to_owned());
    Evidence {
        class,
        method: Some(site.method.clone()),
        api: Some(site.api.clone()),
        sdk: (site.owner.kind == KIND_SDK).then(|| site.owner.id.clone()),
        ..Evidence::default()
    }
}

fn request_finding(
    pack: &CompiledPack,
    check: &CompiledCheck,
    request: &PermissionRequestFacts,
    message: &Msg,
) -> Finding {
    let fingerprint = super::fingerprint(&[
        check.check.id.as_str(),
        request.site.method.as_str(),
        request.library.as_deref().unwrap_or(""),
        &request.permissions.join(","),
    ]);
    Finding {
        owner: Some(request.site.owner.clone()),
        chain: request.site.chain.clone(),
        ..fingerprinted_finding(
            pack,
            check,
            message,
            site_evidence(&request.site),
            fingerprint,
        )
    }
}

/// Whether the call graph (or, without it, the launcher's lifecycle) says the request runs
/// before any user action.
fn is_early(facts: &AppFacts, request: &PermissionRequestFacts) -> bool {
    if !request.site.triggers.is_empty() {
        return matches!(
            request.site.grade.as_deref(),
            Some(g) if g == Grade::BeforeAnyUi.as_str() || g == Grade::OnLaunch.as_str()
        );
    }
    let class = request.site.method.split_once("->").map_or("", |(c, _)| c);
    request.lifecycle.is_some()
        && facts.manifest.components.iter().any(|c| {
            c.kind == "activity"
                && super::startup::descriptor(&c.name) == class
                && c.intent_filters.iter().any(|f| {
                    f.categories
                        .iter()
                        .any(|k| k == "android.intent.category.LAUNCHER")
                })
        })
}

fn permissions_arg(request: &PermissionRequestFacts) -> Arg {
    Arg::list(
        request
            .permissions
            .iter()
            .map(|p| Arg::Text(p.rsplit('.').next().unwrap_or(p).to_owned())),
        6,
        false,
    )
}

/// Findings of one `permission-request` check.
pub(super) fn permission_request(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    condition: RequestCondition,
) -> Vec<Finding> {
    let requests = &facts.behaviour.permission_requests;
    let method_arg = |r: &PermissionRequestFacts| super::startup::short_method(&r.site.method);
    match condition {
        RequestCondition::Bundled => requests
            .iter()
            .filter(|r| r.groups.len() >= 2)
            .map(|r| {
                let message = Msg::new("perm-request.bundled")
                    .msg("owner", owner_msg(pack, &r.site.owner))
                    .count("n", super::count(r.groups.len()))
                    .list("groups", r.groups.iter().cloned(), 10)
                    .arg("permissions", permissions_arg(r))
                    .text("method", method_arg(r));
                request_finding(pack, check, r, &message)
            })
            .collect(),
        RequestCondition::Early => requests
            .iter()
            .filter(|r| !r.groups.is_empty() && is_early(facts, r))
            .map(|r| {
                let message = Msg::new("perm-request.early")
                    .msg("owner", owner_msg(pack, &r.site.owner))
                    .arg("permissions", permissions_arg(r))
                    .text("method", method_arg(r));
                request_finding(pack, check, r, &message)
            })
            .collect(),
        RequestCondition::ReAsk => requests
            .iter()
            .filter(|r| {
                r.lifecycle
                    .as_deref()
                    .is_some_and(|l| RUNS_AGAIN.contains(&l))
            })
            .map(|r| {
                let message = Msg::new("perm-request.re-ask")
                    .msg("owner", owner_msg(pack, &r.site.owner))
                    .arg("permissions", permissions_arg(r))
                    .text("method", method_arg(r));
                request_finding(pack, check, r, &message)
            })
            .collect(),
        RequestCondition::BySdk => by_sdk(pack, check, requests),
        RequestCondition::DenialExit => denial_exit(facts, pack, check),
    }
}

/// One finding per SDK whose own code requests permissions.
fn by_sdk(
    pack: &CompiledPack,
    check: &CompiledCheck,
    requests: &[PermissionRequestFacts],
) -> Vec<Finding> {
    let by_sdks = requests.iter().filter(|r| r.site.owner.kind == KIND_SDK);
    by_owner(by_sdks, |r| &r.site.owner)
        .into_values()
        .filter_map(|requests| {
            let first = *requests.first()?;
            let permissions: BTreeSet<&str> = requests
                .iter()
                .flat_map(|r| r.permissions.iter().map(String::as_str))
                .collect();
            let message = if permissions.is_empty() {
                Msg::new("perm-request.by-sdk-unnamed")
            } else {
                Msg::new("perm-request.by-sdk")
            }
            .msg("owner", owner_msg(pack, &first.site.owner))
            .list(
                "permissions",
                permissions
                    .iter()
                    .map(|p| p.rsplit('.').next().unwrap_or(p).to_owned()),
                8,
            )
            .list(
                "methods",
                short_methods(requests.iter().map(|r| &r.site)),
                3,
            );
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}

/// `onRequestPermissionsResult(int, String[], int[])`.
const PERMISSION_RESULT: &str = "onRequestPermissionsResult(I[Ljava/lang/String;[I)V";
/// Calls that close the app or its screen.
const EXITS: &[&str] = &[
    "Ljava/lang/System;->exit(I)V",
    "Landroid/os/Process;->killProcess(I)V",
];
const FINISHES: &[&str] = &["finish()V", "finishAffinity()V", "finishAndRemoveTask()V"];

/// Permission-result callbacks that close the app (in their own code or in a method of their
/// class they call), owned like any site: the method is the callback, `api` the exit call.
/// The platform's own helper activities are left out: they are not the app's choice.
fn permission_result_exits(
    facts: &AppFacts,
    pack: &CompiledPack,
    attribution: &Attribution<'_>,
) -> Vec<CallSiteFacts> {
    let index = &facts.code_index;
    let mut out = Vec::new();
    for (dex_no, dex) in index.dex.iter().enumerate() {
        // Only methods defining the callback: found by name first, with no string built per
        // method.
        let Some(name) = dex.find_string("onRequestPermissionsResult") else {
            continue;
        };
        let refs: BTreeSet<u32> = dex
            .method_refs
            .iter()
            .enumerate()
            .filter(|(_, m)| m.name == name)
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        if refs.is_empty() {
            continue;
        }
        let dex_id = u32::try_from(dex_no).unwrap_or(u32::MAX);
        for (i, record) in dex.methods.iter().enumerate() {
            if !refs.contains(&record.method_ref) || record.code_units == 0 {
                continue;
            }
            let method = MethodId {
                dex: dex_id,
                method: u32::try_from(i).unwrap_or(u32::MAX),
            };
            let Some(signature) = index.method_signature(method) else {
                continue;
            };
            let Some((class, selector)) = signature.split_once("->") else {
                continue;
            };
            if selector != PERMISSION_RESULT {
                continue;
            }
            let Some((exit, pc)) = exit_call(index, method, class) else {
                continue;
            };
            let owner = super::manifest::class_owner(facts, pack, attribution, class);
            if owner.kind == KIND_PLATFORM_LIBRARY {
                continue;
            }
            out.push(CallSiteFacts {
                owner,
                method: signature,
                pc,
                api: exit,
                ..CallSiteFacts::default()
            });
        }
    }
    out
}

/// One finding per permission-result callback that closes the app: a lead that refusing a
/// permission makes the app unusable.
fn denial_exit(facts: &AppFacts, pack: &CompiledPack, check: &CompiledCheck) -> Vec<Finding> {
    facts
        .behaviour
        .permission_result_exits
        .iter()
        .map(|site| {
            let message = Msg::new("perm-request.denial-exit")
                .msg("owner", owner_msg(pack, &site.owner))
                .text("method", super::startup::short_method(&site.method))
                .text("exit", super::startup::short_method(&site.api));
            let fingerprint = super::fingerprint(&[check.check.id.as_str(), &site.method]);
            Finding {
                owner: Some(site.owner.clone()),
                confidence: Some("low".to_owned()),
                ..fingerprinted_finding(pack, check, &message, site_evidence(site), fingerprint)
            }
        })
        .collect()
}

/// The first exit call `method` makes, itself or through a method of its own class it calls,
/// with the pc of the call in the method that makes it.
fn exit_call(index: &CodeIndex, method: MethodId, class: &str) -> Option<(String, u32)> {
    let dex = index.dex_of(method.dex)?;
    let mut helpers = Vec::new();
    for r in dex.method_refs_of(method.method) {
        if !r.kind.is_method_call() {
            continue;
        }
        let Some(callee) = dex.method_ref_string(r.index) else {
            continue;
        };
        if is_exit(&callee) {
            return Some((callee, r.pc));
        }
        if callee.starts_with(class) && callee.as_bytes().get(class.len()) == Some(&b'-') {
            helpers.push(callee);
        }
    }
    // One hop into the class's own helpers (`showDeniedDialog()` → `finish()`).
    for helper in helpers.iter().take(16) {
        let Some(id) = super::startup::defined(index, helper) else {
            continue;
        };
        let Some(helper_dex) = index.dex_of(id.dex) else {
            continue;
        };
        for r in helper_dex.method_refs_of(id.method) {
            if let Some(callee) = r
                .kind
                .is_method_call()
                .then(|| helper_dex.method_ref_string(r.index))
                .flatten()
                && is_exit(&callee)
            {
                return Some((callee, r.pc));
            }
        }
    }
    None
}

fn is_exit(callee: &str) -> bool {
    EXITS.contains(&callee)
        || callee
            .split_once("->")
            .is_some_and(|(_, selector)| FINISHES.contains(&selector))
}

/// How a start is named in a message.
fn how_word(how: &str) -> Msg {
    match how {
        "start-activity" => Msg::new("how.start-activity"),
        "bind-service" => Msg::new("how.bind-service"),
        "send-broadcast" => Msg::new("how.send-broadcast"),
        "provider-call" => Msg::new("how.provider-call"),
        _ => Msg::new("how.start-service"),
    }
}

fn start_item(start: &AssociatedStartFacts) -> Arg {
    let how = how_word(&start.how);
    Arg::Msg(match start.target.as_str() {
        "constant" => {
            let target = match (&start.package, &start.class) {
                (Some(p), Some(c)) => format!("{p}/{c}"),
                (Some(p), None) => p.clone(),
                _ => start.uri.clone().unwrap_or_default(),
            };
            Msg::new("assoc.item-constant")
                .text("target", target)
                .msg("how", how)
        }
        "installed-apps" => Msg::new("assoc.item-installed")
            .text("query", start.query.clone().unwrap_or_default())
            .msg("how", how),
        "list" => Msg::new("assoc.item-list").msg("how", how),
        _ => Msg::new("assoc.item-runtime").msg("how", how),
    })
}

/// Findings of one `associated-start` check.
pub(super) fn associated_start(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    direction: StartDirection,
    components: &[String],
    exempt_packages: &[String],
) -> Vec<Finding> {
    match direction {
        StartDirection::Outbound => outbound(facts, pack, check, exempt_packages),
        StartDirection::Inbound => inbound(facts, pack, check, components),
    }
}

/// Whether `package` is one of `exempt` or a sub-package of one.
fn is_exempt(package: &str, exempt: &[String]) -> bool {
    exempt.iter().any(|e| {
        package
            .strip_prefix(e.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Whether a start is a finding: not of a system app, not by the platform's own libraries,
/// and — when the call graph was built — reached without a user action (opening another app
/// from a button is the user's choice; code no entry point reaches, an SDK API the app never
/// calls, stays in `behaviour` only).
fn is_reportable(start: &AssociatedStartFacts, exempt: &[String]) -> bool {
    let exempt_target = start
        .package
        .as_deref()
        .is_some_and(|p| is_exempt(p, exempt));
    let user_only =
        !start.site.triggers.is_empty() && start.site.triggers.iter().all(|t| t == "user");
    !exempt_target && !user_only && start.site.owner.kind != KIND_PLATFORM_LIBRARY
}

fn outbound(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    exempt: &[String],
) -> Vec<Finding> {
    let reportable = facts
        .behaviour
        .associated_starts
        .iter()
        .filter(|s| is_reportable(s, exempt));
    by_owner(reportable, |s| &s.site.owner)
        .into_values()
        .filter_map(|mut starts| {
            // Constant targets first: they are the strongest evidence.
            starts.sort_by_key(|s| match s.target.as_str() {
                "constant" => 0,
                "installed-apps" => 1,
                "list" => 2,
                _ => 3,
            });
            let first = *starts.first()?;
            let mut seen = BTreeSet::new();
            let items: Vec<Arg> = starts
                .iter()
                .filter(|s| {
                    seen.insert((
                        s.target.clone(),
                        s.package.clone(),
                        s.class.clone(),
                        s.query.clone(),
                        s.how.clone(),
                    ))
                })
                .map(|s| start_item(s))
                .collect();
            let message = Msg::new("assoc.outbound")
                .msg("owner", owner_msg(pack, &first.site.owner))
                .arg("targets", Arg::list(items, IN_MESSAGE, false))
                .list("methods", short_methods(starts.iter().map(|s| &s.site)), 3);
            // Only targets chosen at run time, one at a time: a lead, not a wake routine.
            let (confidence, severity) = match first.target.as_str() {
                "constant" => ("high", check.check.severity),
                "installed-apps" | "list" => ("medium", check.check.severity),
                _ => (
                    "low",
                    apkscope_rules::Severity::Low.min(check.check.severity),
                ),
            };
            Some(Finding {
                severity: severity.as_str().to_owned(),
                confidence: Some(confidence.to_owned()),
                ..owner_finding(pack, check, &first.site, &message)
            })
        })
        .collect()
}

fn inbound(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    components: &[String],
) -> Vec<Finding> {
    let attribution = super::manifest::found_sdks_attribution(facts, pack);
    let mut by_owner: BTreeMap<(String, String), (OwnerFacts, Vec<&str>)> = BTreeMap::new();
    for c in &facts.manifest.components {
        if !c.exported || c.enabled == Some(false) || !components.contains(&c.name) {
            continue;
        }
        let owner = super::manifest::component_owner(facts, pack, &attribution, &c.name);
        by_owner
            .entry((owner.kind.clone(), owner.id.clone()))
            .or_insert_with(|| (owner, Vec::new()))
            .1
            .push(c.name.as_str());
    }
    by_owner
        .into_iter()
        .map(|((kind, id), (owner, names))| {
            let message = Msg::new("assoc.inbound")
                .msg("owner", owner_msg(pack, &owner))
                .list("components", names.iter().copied(), IN_MESSAGE);
            let evidence = Evidence {
                entry: Some(crate::MANIFEST_ENTRY.to_owned()),
                component: names.first().map(|n| (*n).to_owned()),
                sdk: (owner.kind == KIND_SDK).then(|| owner.id.clone()),
                ..Evidence::default()
            };
            let fingerprint = super::fingerprint(&[check.check.id.as_str(), &kind, &id]);
            Finding {
                owner: Some(owner),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            }
        })
        .collect()
}

/// Findings of one `registered-receiver` check: one per owner registering receivers in code
/// for any of `actions`.
pub(super) fn registered_receiver(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    actions: &[String],
) -> Vec<Finding> {
    let heard = |r: &RegisteredReceiverFacts| -> Vec<String> {
        r.actions
            .iter()
            .filter(|a| actions.contains(a))
            .cloned()
            .collect()
    };
    let registrations = facts
        .behaviour
        .registered_receivers
        .iter()
        .filter(|r| !heard(r).is_empty());
    by_owner(registrations, |r| &r.site.owner)
        .into_values()
        .filter_map(|found| {
            let first = *found.first()?;
            let heard: BTreeSet<String> = found.iter().flat_map(|r| heard(r)).collect();
            let message = Msg::new("registered-receiver.wakes")
                .msg("owner", owner_msg(pack, &first.site.owner))
                .list(
                    "actions",
                    heard.iter().map(|a| a.rsplit('.').next().unwrap_or(a)),
                    6,
                )
                .list("methods", short_methods(found.iter().map(|r| &r.site)), 3);
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}

/// Items by owner (kind and id, in that order), the platform's own libraries left out: their
/// behaviour is the platform's.
fn by_owner<'f, T>(
    items: impl IntoIterator<Item = &'f T>,
    owner: impl Fn(&T) -> &OwnerFacts,
) -> BTreeMap<(String, String), Vec<&'f T>> {
    let mut grouped: BTreeMap<(String, String), Vec<&'f T>> = BTreeMap::new();
    for item in items {
        let o = owner(item);
        if o.kind != KIND_PLATFORM_LIBRARY {
            grouped
                .entry((o.kind.clone(), o.id.clone()))
                .or_default()
                .push(item);
        }
    }
    grouped
}

/// The short names of the calling methods of these sites, sorted.
fn short_methods<'f>(sites: impl Iterator<Item = &'f CallSiteFacts>) -> BTreeSet<String> {
    sites
        .map(|s| super::startup::short_method(&s.method))
        .collect()
}

/// The one finding of `check` for the owner of `first`, with `first` as evidence and a
/// fingerprint of the check and the owner.
fn owner_finding(
    pack: &CompiledPack,
    check: &CompiledCheck,
    first: &CallSiteFacts,
    message: &Msg,
) -> Finding {
    let owner = &first.owner;
    let fingerprint = super::fingerprint(&[check.check.id.as_str(), &owner.kind, &owner.id]);
    Finding {
        owner: Some(owner.clone()),
        ..fingerprinted_finding(pack, check, message, site_evidence(first), fingerprint)
    }
}

/// One keep-alive mechanism as a message item.
fn keep_alive_item(k: &KeepAliveFacts) -> Arg {
    let component = k.component.clone().unwrap_or_default();
    let detail = k.detail.clone().unwrap_or_default();
    let method = k
        .method
        .as_deref()
        .map(super::startup::short_method)
        .unwrap_or_default();
    Arg::Msg(match k.mechanism.as_str() {
        "restarting-service" => Msg::new("keep-alive.restarting")
            .text("method", method)
            .text("value", detail),
        "sync-adapter" => Msg::new("keep-alive.sync-adapter").text("component", component),
        "account-authenticator" => {
            Msg::new("keep-alive.authenticator").text("component", component)
        }
        "foreground-from-receiver" => Msg::new("keep-alive.foreground").text("method", method),
        "extra-process" => Msg::new("keep-alive.process")
            .text("component", component)
            .text("process", detail),
        _ => Msg::new("keep-alive.schedule")
            .text("api", detail)
            .text("method", method),
    })
}

/// Findings of one `keep-alive` check: one per owner of the mechanisms named (all when
/// `mechanisms` is empty); an owner whose only mechanism is an extra process is `info`.
pub(super) fn keep_alive(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    mechanisms: &[String],
) -> Vec<Finding> {
    let named = facts
        .behaviour
        .keep_alive
        .iter()
        .filter(|k| mechanisms.is_empty() || mechanisms.contains(&k.mechanism));
    by_owner(named, |k| &k.owner)
        .into_iter()
        .filter_map(|((kind, id), mut found)| {
            // The strongest mechanisms first.
            found.sort_by_key(|k| match k.mechanism.as_str() {
                "restarting-service" | "foreground-from-receiver" => 0,
                "sync-adapter" | "account-authenticator" => 1,
                "repeating-schedule" => 2,
                _ => 3,
            });
            let first = *found.first()?;
            let message = Msg::new("keep-alive.found")
                .msg("owner", owner_msg(pack, &first.owner))
                .arg(
                    "items",
                    Arg::list(found.iter().map(|k| keep_alive_item(k)), IN_MESSAGE, false),
                );
            let evidence = Evidence {
                component: first.component.clone(),
                method: first.method.clone(),
                sdk: (first.owner.kind == KIND_SDK).then(|| first.owner.id.clone()),
                ..Evidence::default()
            };
            let only_processes = found.iter().all(|k| k.mechanism == "extra-process");
            let severity = if only_processes {
                apkscope_rules::Severity::Info
            } else {
                check.check.severity
            };
            let fingerprint = super::fingerprint(&[check.check.id.as_str(), &kind, &id]);
            Some(Finding {
                severity: severity.as_str().to_owned(),
                owner: Some(first.owner.clone()),
                ..fingerprinted_finding(pack, check, &message, evidence, fingerprint)
            })
        })
        .collect()
}

/// Findings of one `package-probe` check: one per owner asking about at least `min_packages`
/// named apps, the names listed.
pub(super) fn package_probe(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    min_packages: u32,
    exempt: &[String],
) -> Vec<Finding> {
    by_owner(&facts.behaviour.package_probes, |p| &p.site.owner)
        .into_values()
        .filter_map(|probes| {
            let first = *probes.first()?;
            let packages: BTreeSet<&str> = probes
                .iter()
                .flat_map(|p| p.packages.iter().map(String::as_str))
                .filter(|p| !is_exempt(p, exempt))
                .collect();
            if packages.len() < usize::try_from(min_packages).unwrap_or(usize::MAX) {
                return None;
            }
            let message = Msg::new("package-probe.found")
                .msg("owner", owner_msg(pack, &first.site.owner))
                .count("n", super::count(packages.len()))
                .list("packages", packages.iter().copied(), 8);
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}

/// Findings of one `sms-send` check: one per owner sending SMS itself, with the constant
/// destination numbers.
pub(super) fn sms_send(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
) -> Vec<Finding> {
    by_owner(&facts.behaviour.sms_sends, |s| &s.site.owner)
        .into_values()
        .filter_map(|sends| {
            let first = *sends.first()?;
            let numbers: BTreeSet<&str> = sends
                .iter()
                .flat_map(|s| s.destinations.iter().map(String::as_str))
                .collect();
            let message = if numbers.is_empty() {
                Msg::new("sms-send.runtime")
            } else {
                Msg::new("sms-send.numbers").list("numbers", numbers.iter().copied(), 6)
            }
            .msg("owner", owner_msg(pack, &first.site.owner))
            .list("methods", short_methods(sends.iter().map(|s| &s.site)), 3);
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}

/// Findings of one `settings-intent` check: one per owner opening settings screens with any
/// of `actions`.
pub(super) fn settings_intent(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
    actions: &[String],
) -> Vec<Finding> {
    let opened = facts
        .behaviour
        .settings_intents
        .iter()
        .filter(|s| actions.contains(&s.action));
    by_owner(opened, |s| &s.site.owner)
        .into_values()
        .filter_map(|found| {
            let first = *found.first()?;
            let screens: BTreeSet<&str> = found
                .iter()
                .map(|s| s.action.rsplit('.').next().unwrap_or(&s.action))
                .collect();
            let message = Msg::new("settings-intent.found")
                .msg("owner", owner_msg(pack, &first.site.owner))
                .list("screens", screens.iter().copied(), 6)
                .list("methods", short_methods(found.iter().map(|s| &s.site)), 3);
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}

/// Findings of one `background-capture` check: one per owner using the camera or the
/// microphone in services without the matching foreground service type.
pub(super) fn background_capture_findings(
    facts: &AppFacts,
    pack: &CompiledPack,
    check: &CompiledCheck,
) -> Vec<Finding> {
    by_owner(&facts.behaviour.background_capture, |b| &b.site.owner)
        .into_values()
        .filter_map(|found| {
            let first = *found.first()?;
            let types: BTreeSet<&str> = found.iter().map(|b| b.pi_type.as_str()).collect();
            let services: BTreeSet<&str> = found.iter().map(|b| b.service.as_str()).collect();
            let message = Msg::new("background-capture.found")
                .msg("owner", owner_msg(pack, &first.site.owner))
                .list("types", types.iter().copied(), 2)
                .list("services", services.iter().copied(), 4);
            Some(owner_finding(pack, check, &first.site, &message))
        })
        .collect()
}
