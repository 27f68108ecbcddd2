//! Call arguments rebuilt while the code is indexed: the `Intent` a `startService` sends, the
//! permission array a `requestPermissions` asks for, the actions an `IntentFilter` registers.
//!
//! The bytecode is dropped once a dex is indexed, so this runs then, in the same task: a method
//! is tracked (`apkscope_dex::values`) only when its references call one of the pack's
//! `[[behaviour_api]]`s, is a class initialiser that builds a string array, or is an
//! `onStartCommand`. Everything else costs one hash lookup per call reference.
//!
//! How `Intent`, `ComponentName`, `IntentFilter`, `Uri` and `PendingIntent` carry a target is
//! the platform's documented behaviour (`android.content.Intent` and friends), modelled here
//! once; which calls matter, and which argument, is rule data.

use std::collections::{BTreeMap, HashMap};

use apkscope_dex::values::{Call, Frame, MethodShape, Origin, Tracker, Value, ValueVisitor};
use apkscope_dex::{Dex, EncodedMethod, InvokeKind};
use apkscope_facts::code::{
    ArgValue, CodeRef, CodeRefKind, DexCode, IntentValue, StaticArray, TargetPackage, ValueSite,
};
use apkscope_rules::BehaviourApi;

/// Prefix of framework classes: their APIs also match calls through app classes that inherit
/// them (`Lcom/app/MainActivity;->startService(…)`).
const FRAMEWORK_PREFIXES: &[&str] = &["Landroid/", "Landroidx/"];
/// Most value sites kept per dex: a hostile dex cannot grow the table without bound.
const MAX_SITES_PER_DEX: usize = 100_000;
/// Most strings kept per rebuilt value.
const MAX_STRINGS_PER_VALUE: usize = 64;
/// `onStartCommand`'s selector: its returned constant says whether the service is sticky.
const START_COMMAND: &str = "onStartCommand(Landroid/content/Intent;II)I";
const STRING_ARRAY: &str = "[Ljava/lang/String;";
const CLINIT: &str = "<clinit>()V";

/// The pack's `[[behaviour_api]]`s by selector, built once per scan.
#[derive(Debug, Default)]
pub(crate) struct Sinks {
    by_selector: HashMap<String, Vec<Sink>>,
    /// Every method name the model or a sink cares about, with the classes it may be called
    /// through: the cheap filter before a signature is built.
    names: BTreeMap<String, Through>,
    /// The platform model ([`MODELS`]) by signature.
    models: HashMap<&'static str, Role>,
    /// The pack's SDK version sources that read a field or a method (`collect::versions`).
    pub(crate) versions: super::versions::VersionMembers,
}

/// The classes a method name matters on.
#[derive(Debug, Default, Clone)]
struct Through {
    /// Any class (a framework method an app class inherits).
    any: bool,
    /// These class descriptors.
    classes: Vec<String>,
}

#[derive(Debug, Clone)]
struct Sink {
    api: u32,
    class: String,
    framework: bool,
    arg: u8,
}

impl Sinks {
    pub(crate) fn new(apis: &[BehaviourApi]) -> Self {
        let mut by_selector: HashMap<String, Vec<Sink>> = HashMap::new();
        for (i, api) in apis.iter().enumerate() {
            for signature in &api.apis {
                let Some((class, selector)) = signature.split_once("->") else {
                    continue;
                };
                by_selector
                    .entry(selector.to_owned())
                    .or_default()
                    .push(Sink {
                        api: u32::try_from(i).unwrap_or(u32::MAX),
                        class: class.to_owned(),
                        // Constructors are not inherited: they match their own class only.
                        framework: FRAMEWORK_PREFIXES.iter().any(|p| class.starts_with(p))
                            && !selector.starts_with("<init>"),
                        arg: api.arg,
                    });
            }
        }
        let mut names: BTreeMap<String, Through> = BTreeMap::new();
        let mut add = |name: &str, class: &str, any: bool| {
            let through = names.entry(name.to_owned()).or_default();
            through.any |= any;
            if !through.classes.iter().any(|c| c == class) {
                through.classes.push(class.to_owned());
            }
        };
        for (selector, sinks) in &by_selector {
            let name = selector
                .split_once('(')
                .map_or(selector.as_str(), |(n, _)| n);
            for sink in sinks {
                add(name, &sink.class, sink.framework);
            }
        }
        for (signature, role) in MODELS {
            let Some((class, selector)) = signature.split_once("->") else {
                continue;
            };
            let name = selector.split_once('(').map_or(selector, |(n, _)| n);
            // `getPackageName` is called through every Context subclass.
            add(name, class, *role == Role::OwnPackage);
        }
        for name in INSTALLED_APP_QUERIES {
            add(name, "Landroid/content/pm/PackageManager;", false);
        }
        Self {
            by_selector,
            names,
            models: MODELS.iter().copied().collect(),
            versions: super::versions::VersionMembers::default(),
        }
    }
}

/// What a method reference means to the value model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A `[[behaviour_api]]` (index into the pack's list) and the argument to rebuild.
    Sink { api: u32, arg: u8 },
    /// `Intent`, `ComponentName` or `IntentFilter` construction and setters.
    Model(Model),
    /// `Context.getPackageName()`: the app's own package.
    OwnPackage,
    /// An installed-app query: its results name other apps.
    InstalledApps,
    /// `Uri.parse(String)`: the `Uri` is its string.
    UriParse,
    /// `Arrays.asList`, Kotlin `listOf`…: the list is its array.
    ListOfArray,
    /// `PendingIntent.getActivity/getService/getBroadcast`: wraps its `Intent` (argument 2).
    PendingIntent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    /// `new Intent(action)`, `setAction`, `IntentFilter(action)`, `addAction`: argument `n`.
    Action(u8),
    /// `new Intent(action, uri)`.
    ActionUri,
    /// `setPackage(pkg)`.
    Package,
    /// `setClassName(pkg, cls)`, `new ComponentName(pkg, cls)`.
    PackageClass,
    /// `setClassName(context, cls)`, `new ComponentName(context, cls)`: the app's own class.
    OwnClassName,
    /// `new Intent(context, Cls.class)`, `setClass`, `new ComponentName(context, Cls.class)`.
    OwnClass,
    /// `new Intent(action, uri, context, Cls.class)`.
    ActionUriOwnClass,
    /// `setComponent(componentName)`.
    Component,
    /// `setData(uri)`, `setDataAndType(uri, type)`.
    Data,
}

/// Framework methods the model knows, as `class->selector`.
const MODELS: &[(&str, Role)] = &[
    (
        "Landroid/content/Intent;-><init>(Ljava/lang/String;)V",
        Role::Model(Model::Action(1)),
    ),
    (
        "Landroid/content/Intent;-><init>(Ljava/lang/String;Landroid/net/Uri;)V",
        Role::Model(Model::ActionUri),
    ),
    (
        "Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V",
        Role::Model(Model::OwnClass),
    ),
    (
        "Landroid/content/Intent;-><init>(Ljava/lang/String;Landroid/net/Uri;Landroid/content/Context;Ljava/lang/Class;)V",
        Role::Model(Model::ActionUriOwnClass),
    ),
    (
        "Landroid/content/Intent;->setAction(Ljava/lang/String;)Landroid/content/Intent;",
        Role::Model(Model::Action(1)),
    ),
    (
        "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;",
        Role::Model(Model::Package),
    ),
    (
        "Landroid/content/Intent;->setClassName(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;",
        Role::Model(Model::PackageClass),
    ),
    (
        "Landroid/content/Intent;->setClassName(Landroid/content/Context;Ljava/lang/String;)Landroid/content/Intent;",
        Role::Model(Model::OwnClassName),
    ),
    (
        "Landroid/content/Intent;->setClass(Landroid/content/Context;Ljava/lang/Class;)Landroid/content/Intent;",
        Role::Model(Model::OwnClass),
    ),
    (
        "Landroid/content/Intent;->setComponent(Landroid/content/ComponentName;)Landroid/content/Intent;",
        Role::Model(Model::Component),
    ),
    (
        "Landroid/content/Intent;->setData(Landroid/net/Uri;)Landroid/content/Intent;",
        Role::Model(Model::Data),
    ),
    (
        "Landroid/content/Intent;->setDataAndType(Landroid/net/Uri;Ljava/lang/String;)Landroid/content/Intent;",
        Role::Model(Model::Data),
    ),
    (
        "Landroid/content/ComponentName;-><init>(Ljava/lang/String;Ljava/lang/String;)V",
        Role::Model(Model::PackageClass),
    ),
    (
        "Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/String;)V",
        Role::Model(Model::OwnClassName),
    ),
    (
        "Landroid/content/ComponentName;-><init>(Landroid/content/Context;Ljava/lang/Class;)V",
        Role::Model(Model::OwnClass),
    ),
    (
        "Landroid/content/IntentFilter;-><init>(Ljava/lang/String;)V",
        Role::Model(Model::Action(1)),
    ),
    (
        "Landroid/content/IntentFilter;-><init>(Ljava/lang/String;Ljava/lang/String;)V",
        Role::Model(Model::Action(1)),
    ),
    (
        "Landroid/content/IntentFilter;->addAction(Ljava/lang/String;)V",
        Role::Model(Model::Action(1)),
    ),
    (
        "Landroid/content/Context;->getPackageName()Ljava/lang/String;",
        Role::OwnPackage,
    ),
    (
        "Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;",
        Role::UriParse,
    ),
    (
        "Ljava/util/Arrays;->asList([Ljava/lang/Object;)Ljava/util/List;",
        Role::ListOfArray,
    ),
    (
        "Lkotlin/collections/CollectionsKt;->listOf([Ljava/lang/Object;)Ljava/util/List;",
        Role::ListOfArray,
    ),
    (
        "Lkotlin/collections/CollectionsKt;->mutableListOf([Ljava/lang/Object;)Ljava/util/List;",
        Role::ListOfArray,
    ),
    (
        "Lkotlin/collections/CollectionsKt;->arrayListOf([Ljava/lang/Object;)Ljava/util/ArrayList;",
        Role::ListOfArray,
    ),
    (
        "Landroid/app/PendingIntent;->getActivity(Landroid/content/Context;ILandroid/content/Intent;I)Landroid/app/PendingIntent;",
        Role::PendingIntent,
    ),
    (
        "Landroid/app/PendingIntent;->getService(Landroid/content/Context;ILandroid/content/Intent;I)Landroid/app/PendingIntent;",
        Role::PendingIntent,
    ),
    (
        "Landroid/app/PendingIntent;->getBroadcast(Landroid/content/Context;ILandroid/content/Intent;I)Landroid/app/PendingIntent;",
        Role::PendingIntent,
    ),
    (
        "Landroid/app/PendingIntent;->getForegroundService(Landroid/content/Context;ILandroid/content/Intent;I)Landroid/app/PendingIntent;",
        Role::PendingIntent,
    ),
];

/// Installed-app queries, by name on `PackageManager`: a target read from their results is
/// "chosen from the installed apps".
const INSTALLED_APP_QUERIES: &[&str] = &[
    "getInstalledPackages",
    "getInstalledApplications",
    "queryIntentActivities",
    "queryIntentServices",
    "queryBroadcastReceivers",
    "queryContentProviders",
];

/// One dex's method references that matter to the value model.
pub(crate) struct DexRoles {
    /// By method reference index: every call reference of every method is looked up here, so
    /// a dense table, not a hash map.
    roles: Vec<Option<Role>>,
    /// Type index of `[Ljava/lang/String;`, to spot class initialisers that build one.
    string_array: Option<u32>,
}

impl DexRoles {
    /// Looks up every method reference of `code` (whose tables are decoded) by selector.
    pub(crate) fn new(code: &DexCode, sinks: &Sinks) -> Self {
        let mut roles = vec![None; code.method_refs.len()];
        // The names' string indices in this dex (a few dozen binary searches), sorted: each
        // method reference is then one comparison of integers away from being skipped.
        let mut wanted: Vec<(u32, &Through)> = sinks
            .names
            .iter()
            .filter_map(|(name, through)| Some((code.find_string(name)?, through)))
            .collect();
        wanted.sort_unstable_by_key(|(index, _)| *index);
        for (i, m) in code.method_refs.iter().enumerate() {
            let Ok(at) = wanted.binary_search_by_key(&m.name, |(index, _)| *index) else {
                continue;
            };
            let Some((_, through)) = wanted.get(at) else {
                continue;
            };
            let class_wanted = code.type_descriptor(m.class).is_some_and(|class| {
                through.classes.iter().any(|c| c == class)
                    || (through.any && inherits_framework(class))
            });
            if !class_wanted {
                continue;
            }
            let Some(name) = code.string(m.name) else {
                continue;
            };
            let Some(signature) = code.method_ref_string(u32::try_from(i).unwrap_or(u32::MAX))
            else {
                continue;
            };
            let Some((class, selector)) = signature.split_once("->") else {
                continue;
            };
            if let Some(slot) = roles.get_mut(i) {
                *slot = role_of(&signature, class, selector, name, sinks);
            }
        }
        Self {
            roles,
            string_array: code.find_type(STRING_ARRAY),
        }
    }

    fn role(&self, method_ref: u32) -> Option<Role> {
        self.roles
            .get(usize::try_from(method_ref).ok()?)
            .copied()
            .flatten()
    }

    /// Whether a method with these references (and this selector) is worth tracking.
    fn wants(&self, refs: &[CodeRef], selector: &str) -> bool {
        if selector == START_COMMAND {
            return true;
        }
        let clinit = selector == CLINIT;
        refs.iter().any(|r| {
            (r.kind.is_method_call() && matches!(self.role(r.index), Some(Role::Sink { .. })))
                || (clinit && r.kind == CodeRefKind::TypeUse && Some(r.index) == self.string_array)
        })
    }
}

fn role_of(
    signature: &str,
    class: &str,
    selector: &str,
    name: &str,
    sinks: &Sinks,
) -> Option<Role> {
    if let Some(sink) = sinks.by_selector.get(selector).and_then(|candidates| {
        candidates
            .iter()
            .find(|s| s.class == class || (s.framework && inherits_framework(class)))
    }) {
        return Some(Role::Sink {
            api: sink.api,
            arg: sink.arg,
        });
    }
    if let Some(&role) = sinks.models.get(signature) {
        return Some(role);
    }
    if name == "getPackageName" && selector == "getPackageName()Ljava/lang/String;" {
        return Some(Role::OwnPackage);
    }
    if INSTALLED_APP_QUERIES.contains(&name) {
        return Some(Role::InstalledApps);
    }
    None
}

/// A call through a class other than the API's: the framework's own subclasses
/// (`Landroid/app/Activity;`) and app classes, which inherit it. Library classes of other
/// vendors do not.
fn inherits_framework(class: &str) -> bool {
    !class.starts_with("Ljava/") && !class.starts_with("Lkotlin/")
}

/// What the tracker saw in one method, turned into sites.
struct SiteBuilder<'c> {
    code: &'c DexCode,
    roles: &'c DexRoles,
    method: u32,
    objects: HashMap<u32, IntentValue>,
    sites: Vec<ValueSite>,
    static_arrays: Vec<StaticArray>,
    returns: Vec<i64>,
}

impl SiteBuilder<'_> {
    fn string(&self, value: Value) -> Option<String> {
        match value {
            Value::Str(s) => self.code.string(s).map(str::to_owned),
            _ => None,
        }
    }

    /// Where a package value comes from.
    fn package(&self, value: Value) -> Option<TargetPackage> {
        match value {
            Value::Str(s) => self
                .code
                .string(s)
                .map(|s| TargetPackage::Constant(s.to_owned())),
            Value::Derived { origin, last_call } => {
                if last_call.and_then(|m| self.roles.role(m)) == Some(Role::OwnPackage) {
                    return Some(TargetPackage::Own);
                }
                if let Origin::Call(m) = origin
                    && self.roles.role(m) == Some(Role::InstalledApps)
                {
                    let name = self
                        .code
                        .method_refs
                        .get(usize::try_from(m).unwrap_or(usize::MAX))
                        .and_then(|r| self.code.string(r.name))
                        .unwrap_or_default();
                    return Some(TargetPackage::InstalledApps(name.to_owned()));
                }
                if last_call.is_some_and(|m| self.method_name(m).is_some_and(is_element_read)) {
                    return Some(TargetPackage::FromList);
                }
                Some(TargetPackage::Runtime)
            }
            _ => None,
        }
    }

    fn method_name(&self, method_ref: u32) -> Option<&str> {
        let r = self
            .code
            .method_refs
            .get(usize::try_from(method_ref).ok()?)?;
        self.code.string(r.name)
    }

    fn class_literal(&self, value: Value) -> Option<String> {
        match value {
            Value::Class(t) => self.code.type_descriptor(t).map(|d| {
                d.trim_start_matches('L')
                    .trim_end_matches(';')
                    .replace('/', ".")
            }),
            _ => None,
        }
    }

    /// Applies a model call to the object it is made on (or constructs).
    fn apply(&mut self, model: Model, args: &[Value]) {
        let Some(Value::Object { site, .. }) = args.first().copied() else {
            return;
        };
        let arg = |n: usize| args.get(n).copied().unwrap_or_default();
        let mut update = IntentValue::default();
        let mut component = None;
        match model {
            Model::Action(n) => {
                update.actions.extend(self.string(arg(usize::from(n))));
            }
            Model::ActionUri => {
                update.actions.extend(self.string(arg(1)));
                update.uri = self.string(arg(2));
            }
            Model::Package => update.package = self.package(arg(1)),
            Model::PackageClass => {
                update.package = self.package(arg(1));
                update.class = self.string(arg(2));
            }
            Model::OwnClassName => {
                update.package = Some(TargetPackage::Own);
                update.class = self.string(arg(2));
            }
            Model::OwnClass => {
                update.package = Some(TargetPackage::Own);
                update.class = self.class_literal(arg(2));
            }
            Model::ActionUriOwnClass => {
                update.actions.extend(self.string(arg(1)));
                update.uri = self.string(arg(2));
                update.package = Some(TargetPackage::Own);
                update.class = self.class_literal(arg(4));
            }
            Model::Component => {
                if let Value::Object { site, .. } = arg(1) {
                    component = self.objects.get(&site).cloned();
                }
            }
            Model::Data => update.uri = self.string(arg(1)),
        }
        let target = self.objects.entry(site).or_default();
        let update = component.unwrap_or(update);
        for action in update.actions {
            if target.actions.len() < MAX_STRINGS_PER_VALUE && !target.actions.contains(&action) {
                target.actions.push(action);
            }
        }
        if update.package.is_some() {
            target.package = update.package;
        }
        if update.class.is_some() {
            target.class = update.class;
        }
        if update.uri.is_some() {
            target.uri = update.uri;
        }
    }

    /// The rebuilt value of a sink's argument.
    fn arg_value(&self, value: Value, frame: &Frame) -> ArgValue {
        match value {
            Value::Str(_) => {
                let values: Vec<String> = self.string(value).into_iter().collect();
                ArgValue::Strings {
                    values,
                    complete: true,
                }
            }
            Value::Array(id) => {
                let Some(array) = frame.array(id) else {
                    return ArgValue::Unknown;
                };
                let values: Vec<String> = array
                    .elements
                    .iter()
                    .filter_map(|&v| self.string(v))
                    .take(MAX_STRINGS_PER_VALUE)
                    .collect();
                let stored = array.elements.len();
                let complete = !array.truncated
                    && values.len() == stored
                    && array
                        .len
                        .is_none_or(|n| usize::try_from(n).ok() == Some(stored));
                ArgValue::Strings { values, complete }
            }
            Value::Object { site, .. } => self
                .objects
                .get(&site)
                .cloned()
                .map_or(ArgValue::Unknown, ArgValue::Intent),
            Value::Derived {
                origin: Origin::StaticField(f),
                ..
            } => self
                .code
                .field_ref_string(f)
                .map_or(ArgValue::Unknown, ArgValue::StaticField),
            Value::Derived { .. } => ArgValue::Runtime,
            _ => ArgValue::Unknown,
        }
    }
}

impl ValueVisitor for SiteBuilder<'_> {
    fn result(&self, call: &Call<'_>) -> Option<Value> {
        match self.roles.role(call.method_idx)? {
            Role::UriParse => match call.args.first() {
                Some(&v @ Value::Str(_)) => Some(v),
                _ => None,
            },
            Role::ListOfArray => match call.args.first() {
                Some(&v @ Value::Array(_)) => Some(v),
                _ => None,
            },
            Role::PendingIntent => match call.args.get(2) {
                Some(&v @ Value::Object { .. }) => Some(v),
                _ => None,
            },
            // Its results are a fresh origin, whatever the `PackageManager` came from.
            Role::InstalledApps => Some(Value::Derived {
                origin: Origin::Call(call.method_idx),
                last_call: Some(call.method_idx),
            }),
            _ => None,
        }
    }

    fn invoke(&mut self, call: &Call<'_>) {
        match self.roles.role(call.method_idx) {
            Some(Role::Model(model)) => self.apply(model, call.args),
            Some(Role::Sink { api, arg }) if self.sites.len() < MAX_SITES_PER_DEX => {
                let value = call.args.get(usize::from(arg)).copied().unwrap_or_default();
                let receiver_from = match (call.kind, call.args.first()) {
                    (
                        InvokeKind::Virtual | InvokeKind::Interface,
                        Some(Value::Derived {
                            origin: Origin::Call(m),
                            ..
                        }),
                    ) => Some(*m),
                    _ => None,
                };
                self.sites.push(ValueSite {
                    method: self.method,
                    pc: call.pc,
                    api,
                    callee: call.method_idx,
                    value: self.arg_value(value, call.frame),
                    receiver_from,
                });
            }
            _ => {}
        }
    }

    fn returns(&mut self, _pc: u32, value: Value, _frame: &Frame) {
        if let Value::Int(n) = value {
            self.returns.push(n);
        }
    }

    fn static_put(&mut self, _pc: u32, field_idx: u32, value: Value, frame: &Frame) {
        if let ArgValue::Strings { values, .. } = self.arg_value(value, frame)
            && !values.is_empty()
            && let Some(field) = self.code.field_ref_string(field_idx)
        {
            self.static_arrays.push(StaticArray { field, values });
        }
    }
}

/// Tracks `method` (already indexed as record `record` of `code`) when its references make it
/// worth it, appending what it finds to `code`.
pub(crate) fn track_method(
    dex: &Dex<'_>,
    body: &apkscope_dex::Code<'_>,
    method: &EncodedMethod,
    record: u32,
    code: &mut DexCode,
    roles: &DexRoles,
    tracker: &mut Tracker,
) {
    let refs = code.method_refs_of(record);
    // The selector only matters for the two methods tracked by name; most methods skip it.
    let selector = code
        .method_refs
        .get(usize::try_from(method.method_idx).unwrap_or(usize::MAX))
        .and_then(|m| {
            let name = code.string(m.name)?;
            if name != "onStartCommand" && name != "<clinit>" {
                return Some(String::new());
            }
            let proto = code.proto_string(m.descriptor)?;
            Some(format!("{name}{proto}"))
        })
        .unwrap_or_default();
    if !roles.wants(refs, &selector) {
        return;
    }
    let mut builder = SiteBuilder {
        code,
        roles,
        method: record,
        objects: HashMap::new(),
        sites: Vec::new(),
        static_arrays: Vec::new(),
        returns: Vec::new(),
    };
    let shape = MethodShape {
        method_idx: method.method_idx,
        is_static: method.access_flags & ACC_STATIC != 0,
    };
    tracker.track(dex, body, shape, &mut builder);
    let SiteBuilder {
        sites,
        static_arrays,
        returns,
        ..
    } = builder;
    let room = MAX_SITES_PER_DEX.saturating_sub(code.value_sites.len());
    code.value_sites.extend(sites.into_iter().take(room));
    code.static_arrays.extend(static_arrays);
    if selector == START_COMMAND {
        code.start_command_returns
            .extend(returns.into_iter().map(|n| (record, n)));
    }
}

const ACC_STATIC: u32 = 0x8;

/// Calls that read one element of a collection (`Iterator.next`, `List.get`): a target read
/// from one is one of many, a loop over targets.
fn is_element_read(name: &str) -> bool {
    matches!(
        name,
        "next" | "get" | "poll" | "peek" | "elementAt" | "valueAt" | "previous"
    )
}
