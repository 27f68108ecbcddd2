//! The app's code as a program: global method and class numbers, method selectors, the class
//! hierarchy, and the callees of one method. Everything is computed on demand and kept, so the
//! cost follows what the searches reach, not the size of the app.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use apkscope_facts::code::{ClassId, CodeIndex, CodeRefKind, DexCode, MethodId};

use crate::{AsyncSpec, Limits};

/// "None" in the dense tables.
pub(crate) const NONE: u32 = u32::MAX;

/// A hasher for the integer keys of the graph's maps (method and class numbers, selector
/// ids, per-dex name/proto pairs): a multiply per word and a final mix instead of `SipHash`,
/// which the searches would otherwise spend much of their time in. Seeded once per process
/// from the standard library's random state, so an APK cannot be built to make its keys
/// collide.
#[derive(Clone, Copy)]
pub(crate) struct IntHasher(u64);

impl Default for IntHasher {
    fn default() -> Self {
        static SEED: OnceLock<u64> = OnceLock::new();
        Self(*SEED.get_or_init(|| {
            use std::hash::BuildHasher as _;
            std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64)
        }))
    }
}

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        // splitmix64's finaliser: every input bit reaches the low bits hashbrown indexes by.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word.iter_mut().zip(chunk).for_each(|(w, b)| *w = *b);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by integers, hashed with [`IntHasher`].
pub(crate) type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;
/// A set of integers, hashed with [`IntHasher`].
pub(crate) type IntSet<K> = HashSet<K, BuildHasherDefault<IntHasher>>;

/// "Not looked up yet" in the type → class tables.
const UNKNOWN: u32 = u32::MAX - 1;

/// `ACC_ABSTRACT`: a method with no code to run.
const ACC_ABSTRACT: u32 = 0x400;

/// Receivers whose virtual calls are not resolved: every class overrides `Object`'s
/// `toString`/`equals`/`hashCode`, so resolving them links everything to everything.
const UNRESOLVED_RECEIVERS: &[&str] = &["Ljava/lang/Object;"];

/// APIs that load a class by name: with a constant string, the named app class is used.
const CLASS_BY_NAME: &[(&str, &str)] = &[
    ("Ljava/lang/Class;", "forName"),
    ("Ljava/lang/ClassLoader;", "loadClass"),
];

/// APIs that look a method up by name: with a constant string, that method of the class
/// loaded by name is called.
const METHOD_BY_NAME: &[(&str, &str)] = &[
    ("Ljava/lang/Class;", "getMethod"),
    ("Ljava/lang/Class;", "getDeclaredMethod"),
];

/// How a call reaches its callee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    /// The method is an entry point.
    Entry,
    /// `invoke-static`, `invoke-direct` or `invoke-super`.
    Call,
    /// `invoke-virtual` or `invoke-interface`, resolved to an override in the APK.
    Dispatch,
    /// The platform runs it later (`Thread.start`, `Handler.post`, `startService`…).
    Async,
    /// The platform runs it again and again (a timer, a repeating alarm, a self re-post).
    Periodic,
    /// The class's static initialiser, run when the class is first used.
    Clinit,
    /// Reflection with a constant class or method name (lower confidence).
    Reflection,
}

impl Via {
    /// The name reports use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Entry => "entry",
            Self::Call => "call",
            Self::Dispatch => "dispatch",
            Self::Async => "async",
            Self::Periodic => "periodic",
            Self::Clinit => "clinit",
            Self::Reflection => "reflection",
        }
    }
}

/// One call: the callee, the caller's instruction and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) target: u32,
    pub(crate) pc: u32,
    pub(crate) via: Via,
}

/// What one method's references say, while its callees are computed.
#[derive(Default)]
struct MethodScan<'i> {
    global: u32,
    dex: u32,
    own_class: Option<u32>,
    edges: Vec<Edge>,
    seen: IntSet<(u32, Via)>,
    /// App classes the method creates or names (`new-instance`, `const-class`).
    candidates: Vec<u32>,
    /// App classes it creates, with the pc.
    created: Vec<(u32, u32)>,
    /// The prototypes of the calls it makes, with the pc (their framework parameter types
    /// are looked at only when the method creates an app object).
    calls: Vec<(u32, u32)>,
    /// Async APIs it calls: (spec, pc).
    async_calls: Vec<(usize, u32)>,
    /// Constant strings that could name a class or method.
    strings: Vec<(&'i str, u32)>,
    /// Where it loads a class by name, if it does.
    loads_class: Option<u32>,
    /// Whether it looks a method up by name.
    finds_method: bool,
}

impl MethodScan<'_> {
    /// Adds an edge unless the same callee was already reached the same way.
    fn push(&mut self, target: u32, pc: u32, via: Via) {
        if self.seen.insert((target, via)) {
            self.edges.push(Edge { target, pc, via });
        }
    }
}

/// An [`AsyncSpec`] API, by selector: the class it is declared on and what it runs.
struct AsyncApi {
    class: String,
    spec: usize,
}

/// The program view of a [`CodeIndex`].
pub(crate) struct Program<'i> {
    index: &'i CodeIndex,
    limits: Limits,
    method_base: Vec<u32>,
    class_base: Vec<u32>,
    method_count: u32,
    class_count: u32,
    /// Per dex, type index → loaded class, built on first use.
    type_class: Vec<Option<Vec<u32>>>,
    /// Per dex, method ref → selector (`NONE` until computed); empty until the dex is used.
    ref_selector: Vec<Vec<u32>>,
    /// Per dex, (name string, proto) → selector: refs of many classes share a selector, so
    /// its text is built and hashed once per dex.
    pair_selector: Vec<IntMap<u64, u32>>,
    selectors: HashMap<String, u32>,
    /// Per class, its own methods by selector, sorted.
    class_methods: IntMap<u32, Arc<[(u32, u32)]>>,
    /// Supertype descriptor → classes that extend or implement it directly.
    children: Option<HashMap<&'i str, Vec<u32>>>,
    /// Classes the app creates (`new-instance`, `const-class`) or the platform creates (entry
    /// classes): virtual calls dispatch to these only, when any of them fits.
    instantiated: Option<Vec<bool>>,
    dispatch_cache: HashMap<(&'i str, u32), Arc<[u32]>>,
    /// Receiver → its subtypes ([`Self::subtypes`]).
    subtypes_cache: HashMap<&'i str, Arc<[(u32, u32)]>>,
    /// Per dex, method ref → its dispatch targets (the cache above, reached without hashing
    /// the receiver's name again); empty until the dex makes a virtual call.
    ref_dispatch: Vec<IntMap<u32, Arc<[u32]>>>,
    async_by_selector: IntMap<u32, Vec<AsyncApi>>,
    async_callbacks: Vec<Vec<u32>>,
    /// Every `[[async]]` callback selector, sorted, once.
    all_callbacks: Arc<[u32]>,
    /// The selectors `<clinit>()V` and `<init>()V`, interned once.
    clinit_selector: u32,
    init_selector: u32,
    async_periodic: Vec<bool>,
    /// Per dex, the method refs that read a consent flag (sorted), built on first use.
    gate_refs: Vec<Option<Arc<[u32]>>>,
    gate_signatures: Vec<String>,
    /// The set `callees` dedupes a method's edges with, kept between methods for its room.
    scratch_seen: IntSet<(u32, Via)>,
    /// Call sites whose targets were cut at [`Limits::max_dispatch_targets`].
    pub(crate) capped_sites: u64,
    /// Whether a hierarchy walk hit [`Limits::max_subtypes`].
    pub(crate) hierarchy_cut: bool,
    /// Edges computed so far.
    pub(crate) edge_count: u64,
}

impl<'i> Program<'i> {
    pub(crate) fn new(
        index: &'i CodeIndex,
        asyncs: &[AsyncSpec],
        gates: &[String],
        limits: Limits,
    ) -> Self {
        let mut method_base = Vec::with_capacity(index.dex.len());
        let mut class_base = Vec::with_capacity(index.dex.len());
        let (mut methods, mut classes) = (0u32, 0u32);
        for dex in &index.dex {
            method_base.push(methods);
            class_base.push(classes);
            methods = methods.saturating_add(u32::try_from(dex.methods.len()).unwrap_or(NONE));
            classes = classes.saturating_add(u32::try_from(dex.classes.len()).unwrap_or(NONE));
        }
        let mut program = Self {
            index,
            limits,
            method_base,
            class_base,
            method_count: methods.min(UNKNOWN - 1),
            class_count: classes.min(UNKNOWN - 1),
            type_class: index.dex.iter().map(|_| None).collect(),
            ref_selector: index.dex.iter().map(|_| Vec::new()).collect(),
            pair_selector: index.dex.iter().map(|_| IntMap::default()).collect(),
            selectors: HashMap::new(),
            class_methods: IntMap::default(),
            children: None,
            instantiated: None,
            dispatch_cache: HashMap::new(),
            subtypes_cache: HashMap::new(),
            ref_dispatch: index.dex.iter().map(|_| IntMap::default()).collect(),
            async_by_selector: IntMap::default(),
            async_callbacks: Vec::new(),
            all_callbacks: Arc::from([]),
            clinit_selector: NONE,
            init_selector: NONE,
            async_periodic: Vec::new(),
            gate_refs: index.dex.iter().map(|_| None).collect(),
            gate_signatures: gates.to_vec(),
            scratch_seen: IntSet::default(),
            capped_sites: 0,
            hierarchy_cut: false,
            edge_count: 0,
        };
        for (spec_index, spec) in asyncs.iter().enumerate() {
            let callbacks = spec
                .callbacks
                .iter()
                .map(|s| program.intern(s.clone()))
                .collect();
            program.async_callbacks.push(callbacks);
            program.async_periodic.push(spec.periodic);
            for api in &spec.apis {
                let Some((class, rest)) = api.split_once("->") else {
                    continue;
                };
                let selector = program.intern(rest.to_owned());
                program
                    .async_by_selector
                    .entry(selector)
                    .or_default()
                    .push(AsyncApi {
                        class: class.to_owned(),
                        spec: spec_index,
                    });
            }
        }
        let mut all: Vec<u32> = program.async_callbacks.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        program.all_callbacks = all.into();
        program.clinit_selector = program.intern_selector("<clinit>()V");
        program.init_selector = program.intern_selector("<init>()V");
        program
    }

    pub(crate) const fn method_count(&self) -> u32 {
        self.method_count
    }

    pub(crate) fn global(&self, id: MethodId) -> Option<u32> {
        let base = *self.method_base.get(usize::try_from(id.dex).ok()?)?;
        let dex = self.index.dex_of(id.dex)?;
        (usize::try_from(id.method).ok()? < dex.methods.len())
            .then(|| base.checked_add(id.method))
            .flatten()
    }

    pub(crate) fn method_id(&self, global: u32) -> Option<MethodId> {
        let dex = self
            .method_base
            .partition_point(|&b| b <= global)
            .checked_sub(1)?;
        let base = *self.method_base.get(dex)?;
        Some(MethodId {
            dex: u32::try_from(dex).ok()?,
            method: global - base,
        })
    }

    fn class_id(&self, global: u32) -> Option<ClassId> {
        let dex = self
            .class_base
            .partition_point(|&b| b <= global)
            .checked_sub(1)?;
        let base = *self.class_base.get(dex)?;
        Some(ClassId {
            dex: u32::try_from(dex).ok()?,
            class: global - base,
        })
    }

    fn class_global(&self, id: ClassId) -> Option<u32> {
        self.class_base
            .get(usize::try_from(id.dex).ok()?)?
            .checked_add(id.class)
    }

    /// The class that defines method `global`.
    pub(crate) fn class_of(&self, global: u32) -> Option<u32> {
        let id = self.method_id(global)?;
        let record = self.index.method_record(id)?;
        self.class_global(ClassId {
            dex: id.dex,
            class: record.class,
        })
    }

    pub(crate) fn class_descriptor(&self, class: u32) -> Option<&'i str> {
        self.index.class_descriptor(self.class_id(class)?)
    }

    /// The loaded class a descriptor names (the first definition, as the runtime loads it).
    pub(crate) fn class_named(&self, descriptor: &str) -> Option<u32> {
        self.class_global(self.index.class(descriptor)?)
    }

    fn intern(&mut self, selector: String) -> u32 {
        let next = u32::try_from(self.selectors.len()).unwrap_or(NONE);
        *self.selectors.entry(selector).or_insert(next)
    }

    pub(crate) fn intern_selector(&mut self, selector: &str) -> u32 {
        self.intern(selector.to_owned())
    }

    fn dex(&self, dex: u32) -> Option<&'i DexCode> {
        self.index.dex_of(dex)
    }

    /// The selector of method ref `r` of `dex`.
    fn ref_selector(&mut self, dex: u32, r: u32) -> Option<u32> {
        let d = self.dex(dex)?;
        let slot = usize::try_from(dex).ok()?;
        let r_index = usize::try_from(r).ok()?;
        if self.ref_selector.get(slot)?.is_empty() {
            let len = d.method_refs.len();
            if let Some(table) = self.ref_selector.get_mut(slot) {
                *table = vec![NONE; len];
            }
        }
        let known = *self.ref_selector.get(slot)?.get(r_index)?;
        if known != NONE {
            return Some(known);
        }
        let m = d.method_refs.get(r_index)?;
        let pair = u64::from(m.name) << 32 | u64::from(m.descriptor);
        let id = if let Some(&id) = self.pair_selector.get(slot)?.get(&pair) {
            id
        } else {
            let mut selector = d.string(m.name)?.to_owned();
            selector.push_str(&d.proto_string(m.descriptor)?);
            let id = self.intern(selector);
            if let Some(pairs) = self.pair_selector.get_mut(slot) {
                pairs.insert(pair, id);
            }
            id
        };
        if let Some(cell) = self.ref_selector.get_mut(slot)?.get_mut(r_index) {
            *cell = id;
        }
        Some(id)
    }

    /// The loaded class type `t` of `dex` names, if the app defines it (each type looked up
    /// once, when first asked).
    fn type_class(&mut self, dex: u32, t: u32) -> Option<u32> {
        let slot = usize::try_from(dex).ok()?;
        let d = self.dex(dex)?;
        if self.type_class.get(slot)?.is_none() {
            let table = vec![UNKNOWN; d.types.len()];
            if let Some(cell) = self.type_class.get_mut(slot) {
                *cell = Some(table);
            }
        }
        let at = usize::try_from(t).ok()?;
        let known = *self.type_class.get(slot)?.as_ref()?.get(at)?;
        let class = if known == UNKNOWN {
            let class = d
                .type_descriptor(t)
                .and_then(|desc| self.class_named(desc))
                .unwrap_or(NONE);
            if let Some(cell) = self
                .type_class
                .get_mut(slot)
                .and_then(Option::as_mut)
                .and_then(|table| table.get_mut(at))
            {
                *cell = class;
            }
            class
        } else {
            known
        };
        (class != NONE).then_some(class)
    }

    /// Class `class`'s own methods by selector.
    fn methods_of(&mut self, class: u32) -> Arc<[(u32, u32)]> {
        if let Some(known) = self.class_methods.get(&class) {
            return Arc::clone(known);
        }
        let mut methods = Vec::new();
        if let Some(id) = self.class_id(class)
            && let Some(record) = self.index.class_record(id).copied()
            && let Some(base) = self
                .method_base
                .get(usize::try_from(id.dex).unwrap_or(usize::MAX))
        {
            let base = *base;
            let count = record.direct_methods.saturating_add(record.virtual_methods);
            for local in record.methods_start..record.methods_start.saturating_add(count) {
                let Some(m) = self
                    .dex(id.dex)
                    .and_then(|d| d.methods.get(usize::try_from(local).ok()?))
                    .copied()
                else {
                    break;
                };
                if let Some(selector) = self.ref_selector(id.dex, m.method_ref) {
                    methods.push((selector, base.saturating_add(local)));
                }
            }
        }
        methods.sort_unstable();
        let methods: Arc<[(u32, u32)]> = methods.into();
        self.class_methods.insert(class, Arc::clone(&methods));
        methods
    }

    /// The method `class` defines itself with `selector`.
    pub(crate) fn own_method(&mut self, class: u32, selector: u32) -> Option<u32> {
        let methods = self.methods_of(class);
        let at = methods.partition_point(|&(s, _)| s < selector);
        methods
            .get(at)
            .filter(|&&(s, _)| s == selector)
            .map(|&(_, m)| m)
    }

    /// The superclass of `class`, if the app defines it.
    fn superclass(&mut self, class: u32) -> Option<u32> {
        let id = self.class_id(class)?;
        let record = self.index.class_record(id)?;
        let superclass = record.superclass?;
        self.type_class(id.dex, superclass)
    }

    /// The method a call to `selector` on an object of class `class` runs: the class's own, or
    /// its nearest app-defined ancestor's.
    pub(crate) fn resolve_up(&mut self, class: u32, selector: u32) -> Option<u32> {
        let mut current = class;
        for _ in 0..64 {
            if let Some(m) = self.own_method(current, selector) {
                return Some(m);
            }
            current = self.superclass(current)?;
        }
        None
    }

    /// The methods a constant-name lookup `name` on `class` may return.
    fn methods_named(&mut self, class: u32, name: &str) -> Vec<u32> {
        let Some(id) = self.class_id(class) else {
            return Vec::new();
        };
        let Some(d) = self.dex(id.dex) else {
            return Vec::new();
        };
        let Some(record) = self.index.class_record(id).copied() else {
            return Vec::new();
        };
        let Some(&base) = self
            .method_base
            .get(usize::try_from(id.dex).unwrap_or(usize::MAX))
        else {
            return Vec::new();
        };
        let count = record.direct_methods.saturating_add(record.virtual_methods);
        (record.methods_start..record.methods_start.saturating_add(count))
            .filter(|&local| {
                d.methods
                    .get(usize::try_from(local).unwrap_or(usize::MAX))
                    .and_then(|m| d.method_refs.get(usize::try_from(m.method_ref).ok()?))
                    .and_then(|r| d.string(r.name))
                    == Some(name)
            })
            .map(|local| base.saturating_add(local))
            .collect()
    }

    fn children(&mut self) -> &HashMap<&'i str, Vec<u32>> {
        if self.children.is_none() {
            let mut children: HashMap<&'i str, Vec<u32>> = HashMap::new();
            let index = self.index;
            for id in index.classes() {
                let Some(global) = self.class_global(id) else {
                    continue;
                };
                // Only the loaded definition of a class takes part in dispatch.
                let Some(descriptor) = index.class_descriptor(id) else {
                    continue;
                };
                if index.class(descriptor) != Some(id) {
                    continue;
                }
                let (Some(d), Some(record)) = (index.dex_of(id.dex), index.class_record(id)) else {
                    continue;
                };
                if let Some(parent) = record.superclass.and_then(|t| d.type_descriptor(t)) {
                    children.entry(parent).or_default().push(global);
                }
                let start = usize::try_from(record.interfaces_start).unwrap_or(usize::MAX);
                let len = usize::try_from(record.interfaces_len).unwrap_or(0);
                let interfaces = start
                    .checked_add(len)
                    .and_then(|end| d.class_interfaces.get(start..end))
                    .unwrap_or(&[]);
                for &t in interfaces {
                    if let Some(parent) = d.type_descriptor(t) {
                        children.entry(parent).or_default().push(global);
                    }
                }
            }
            self.children = Some(children);
        }
        self.children.get_or_insert_with(HashMap::new)
    }

    fn instantiated(&mut self) -> &[bool] {
        if self.instantiated.is_none() {
            let mut created = vec![false; usize::try_from(self.class_count).unwrap_or(0)];
            let index = self.index;
            for (dex, d) in (0u32..).zip(&index.dex) {
                for r in &d.refs {
                    if matches!(r.kind, CodeRefKind::NewInstance | CodeRefKind::ConstClass)
                        && let Some(class) = self.type_class(dex, r.index)
                        && let Some(cell) =
                            created.get_mut(usize::try_from(class).unwrap_or(usize::MAX))
                    {
                        *cell = true;
                    }
                }
            }
            self.instantiated = Some(created);
        }
        self.instantiated.as_deref().unwrap_or(&[])
    }

    /// Marks `class` as created by the platform (a manifest component, an entry point's class).
    pub(crate) fn mark_instantiated(&mut self, class: u32) {
        let _ = self.instantiated();
        if let Some(cell) = self
            .instantiated
            .as_mut()
            .and_then(|v| v.get_mut(usize::try_from(class).unwrap_or(usize::MAX)))
        {
            *cell = true;
        }
    }

    fn is_instantiated(&mut self, class: u32) -> bool {
        self.instantiated()
            .get(usize::try_from(class).unwrap_or(usize::MAX))
            .copied()
            .unwrap_or(false)
    }

    /// `receiver` itself if the app defines it, and every app class below it (parents before
    /// their children), each with the position in the list of its superclass when that is in
    /// the list too (`NONE` otherwise: the root, or a class found through an interface).
    fn subtypes(&mut self, receiver: &'i str) -> Arc<[(u32, u32)]> {
        if let Some(known) = self.subtypes_cache.get(receiver) {
            return Arc::clone(known);
        }
        let mut out: Vec<(u32, u32)> = Vec::new();
        let mut seen: IntSet<u32> = IntSet::default();
        if let Some(own) = self.class_named(receiver) {
            out.push((own, NONE));
            seen.insert(own);
        }
        let root = if out.is_empty() { NONE } else { 0 };
        let mut work: Vec<(&'i str, u32)> = vec![(receiver, root)];
        'walk: while let Some((parent, parent_at)) = work.pop() {
            let kids: Vec<u32> = self.children().get(parent).cloned().unwrap_or_default();
            for kid in kids {
                if !seen.insert(kid) {
                    continue;
                }
                if out.len() >= self.limits.max_subtypes {
                    self.hierarchy_cut = true;
                    break 'walk;
                }
                let via_superclass = self.superclass_descriptor(kid) == Some(parent);
                let at = u32::try_from(out.len()).unwrap_or(NONE);
                out.push((kid, if via_superclass { parent_at } else { NONE }));
                if let Some(descriptor) = self.class_descriptor(kid) {
                    work.push((descriptor, at));
                }
            }
        }
        let out: Arc<[(u32, u32)]> = out.into();
        self.subtypes_cache.insert(receiver, Arc::clone(&out));
        out
    }

    /// The descriptor of `class`'s superclass.
    fn superclass_descriptor(&self, class: u32) -> Option<&'i str> {
        let id = self.class_id(class)?;
        let record = self.index.class_record(id)?;
        self.dex(id.dex)?.type_descriptor(record.superclass?)
    }

    /// Every method a virtual call to `selector` on `receiver` may run: class-hierarchy
    /// analysis over the APK's classes, narrowed to the classes the app creates when any of
    /// them fits.
    fn dispatch(&mut self, receiver: &'i str, selector: u32) -> Arc<[u32]> {
        if let Some(known) = self.dispatch_cache.get(&(receiver, selector)) {
            return Arc::clone(known);
        }
        let classes = self.subtypes(receiver);
        let mut created = Vec::new();
        let mut all = Vec::new();
        // What each class runs: its own method, else what its superclass (earlier in the
        // list) runs, else the nearest app-defined ancestor's.
        let mut resolved: Vec<u32> = Vec::with_capacity(classes.len());
        for &(class, parent) in classes.iter() {
            let target = match self.own_method(class, selector) {
                Some(m) => m,
                None if parent != NONE => resolved
                    .get(usize::try_from(parent).unwrap_or(usize::MAX))
                    .copied()
                    .unwrap_or(NONE),
                None => self.resolve_up(class, selector).unwrap_or(NONE),
            };
            resolved.push(target);
            if target == NONE || self.is_abstract(target) {
                continue;
            }
            if self.is_instantiated(class) {
                created.push(target);
            }
            all.push(target);
        }
        let mut targets = if created.is_empty() { all } else { created };
        targets.sort_unstable();
        targets.dedup();
        if targets.len() > self.limits.max_dispatch_targets {
            targets.truncate(self.limits.max_dispatch_targets);
            self.capped_sites = self.capped_sites.saturating_add(1);
        }
        let targets: Arc<[u32]> = targets.into();
        self.dispatch_cache
            .insert((receiver, selector), Arc::clone(&targets));
        targets
    }

    /// [`Self::dispatch`] for method ref `r` of `dex`, remembered per ref.
    fn ref_dispatch(&mut self, dex: u32, r: u32, receiver: &'i str, selector: u32) -> Arc<[u32]> {
        let slot = usize::try_from(dex).unwrap_or(usize::MAX);
        if let Some(known) = self.ref_dispatch.get(slot).and_then(|refs| refs.get(&r)) {
            return Arc::clone(known);
        }
        let targets = self.dispatch(receiver, selector);
        if let Some(refs) = self.ref_dispatch.get_mut(slot) {
            refs.insert(r, Arc::clone(&targets));
        }
        targets
    }

    fn is_abstract(&self, method: u32) -> bool {
        self.method_id(method)
            .and_then(|id| self.index.method_record(id))
            .is_some_and(|m| m.access_flags & ACC_ABSTRACT != 0 || m.code_units == 0)
    }

    /// Whether `class` is `ancestor` or inherits from it (superclasses and interfaces,
    /// app-defined links only; `ancestor` itself may be a framework type).
    fn inherits(&mut self, class: u32, ancestor: &str) -> bool {
        let mut work = vec![class];
        let mut seen = HashSet::new();
        while let Some(c) = work.pop() {
            if !seen.insert(c) || seen.len() > 256 {
                continue;
            }
            let Some(id) = self.class_id(c) else { continue };
            let (Some(d), Some(record)) = (self.dex(id.dex), self.index.class_record(id).copied())
            else {
                continue;
            };
            if d.type_descriptor(record.type_idx) == Some(ancestor) {
                return true;
            }
            let start = usize::try_from(record.interfaces_start).unwrap_or(usize::MAX);
            let len = usize::try_from(record.interfaces_len).unwrap_or(0);
            let mut parents: Vec<u32> = start
                .checked_add(len)
                .and_then(|end| d.class_interfaces.get(start..end))
                .unwrap_or(&[])
                .to_vec();
            parents.extend(record.superclass);
            for t in parents {
                if d.type_descriptor(t) == Some(ancestor) {
                    return true;
                }
                if let Some(next) = self.type_class(id.dex, t) {
                    work.push(next);
                }
            }
        }
        false
    }

    /// The `<clinit>` of `class`, if it has one.
    fn clinit(&mut self, class: u32) -> Option<u32> {
        self.own_method(class, self.clinit_selector)
    }

    /// The callees of method `global`, in the order its code makes the calls.
    pub(crate) fn callees(&mut self, global: u32) -> Vec<Edge> {
        let Some(id) = self.method_id(global) else {
            return Vec::new();
        };
        let Some(d) = self.dex(id.dex) else {
            return Vec::new();
        };
        let mut seen = std::mem::take(&mut self.scratch_seen);
        seen.clear();
        let mut scan = MethodScan {
            global,
            dex: id.dex,
            own_class: self.class_of(global),
            seen,
            ..MethodScan::default()
        };
        for r in d.method_refs_of(id.method) {
            match r.kind {
                CodeRefKind::InvokeStatic
                | CodeRefKind::InvokeDirect
                | CodeRefKind::InvokeSuper => {
                    self.direct_call(d, r.kind, r.index, r.pc, &mut scan);
                }
                CodeRefKind::InvokeVirtual | CodeRefKind::InvokeInterface => {
                    self.virtual_call(d, r.index, r.pc, &mut scan);
                }
                CodeRefKind::NewInstance | CodeRefKind::ConstClass => {
                    let Some(class) = self.type_class(id.dex, r.index) else {
                        continue;
                    };
                    scan.candidates.push(class);
                    if r.kind == CodeRefKind::NewInstance {
                        scan.created.push((class, r.pc));
                        self.clinit_edge(class, r.pc, &mut scan);
                    }
                }
                CodeRefKind::StaticFieldRead | CodeRefKind::StaticFieldWrite => {
                    if let Some(f) = d
                        .field_refs
                        .get(usize::try_from(r.index).unwrap_or(usize::MAX))
                        && let Some(class) = self.type_class(id.dex, f.class)
                    {
                        self.clinit_edge(class, r.pc, &mut scan);
                    }
                }
                CodeRefKind::ConstString => {
                    if let Some(s) = d.string(r.index)
                        && looks_like_name(s)
                    {
                        scan.strings.push((s, r.pc));
                    }
                }
                _ => {}
            }
        }
        self.async_edges(&mut scan);
        self.handed_over_edges(d, &mut scan);
        self.reflection_edges(&mut scan);
        self.edge_count = self
            .edge_count
            .saturating_add(u64::try_from(scan.edges.len()).unwrap_or(u64::MAX));
        // The dedupe set's room is kept for the next method.
        self.scratch_seen = std::mem::take(&mut scan.seen);
        scan.edges
    }

    /// `<clinit>` of `class` when another class's method first uses it.
    fn clinit_edge(&mut self, class: u32, pc: u32, scan: &mut MethodScan<'i>) {
        if Some(class) != scan.own_class
            && let Some(clinit) = self.clinit(class)
        {
            scan.push(clinit, pc, Via::Clinit);
        }
    }

    /// `invoke-static`, `invoke-direct`, `invoke-super`: the method the hierarchy resolves,
    /// and `<clinit>` of a static call's class; `Class.forName` noted for reflection.
    fn direct_call(
        &mut self,
        d: &'i DexCode,
        kind: CodeRefKind,
        r: u32,
        pc: u32,
        scan: &mut MethodScan<'i>,
    ) {
        let Some(m) = d.method_refs.get(usize::try_from(r).unwrap_or(usize::MAX)) else {
            return;
        };
        scan.calls.push((m.descriptor, pc));
        let Some(selector) = self.ref_selector(scan.dex, r) else {
            return;
        };
        if let Some(class) = self.type_class(scan.dex, m.class) {
            if kind == CodeRefKind::InvokeStatic {
                self.clinit_edge(class, pc, scan);
            }
            if let Some(target) = self.resolve_up(class, selector) {
                scan.push(target, pc, Via::Call);
            }
        } else if kind == CodeRefKind::InvokeStatic {
            let class_name = d.type_descriptor(m.class).unwrap_or("");
            let name = d.string(m.name).unwrap_or("");
            if CLASS_BY_NAME.contains(&(class_name, name)) {
                scan.loads_class = Some(pc);
            }
        }
    }

    /// `invoke-virtual`, `invoke-interface`: every override dispatch may run; async APIs and
    /// reflection lookups noted for later.
    fn virtual_call(&mut self, d: &'i DexCode, r: u32, pc: u32, scan: &mut MethodScan<'i>) {
        let Some(m) = d.method_refs.get(usize::try_from(r).unwrap_or(usize::MAX)) else {
            return;
        };
        scan.calls.push((m.descriptor, pc));
        let Some(selector) = self.ref_selector(scan.dex, r) else {
            return;
        };
        let Some(receiver) = d.type_descriptor(m.class) else {
            return;
        };
        let name = d.string(m.name).unwrap_or("");
        if CLASS_BY_NAME.contains(&(receiver, name)) {
            scan.loads_class = Some(pc);
        }
        if METHOD_BY_NAME.contains(&(receiver, name)) {
            scan.finds_method = true;
        }
        if let Some(apis) = self.async_by_selector.get(&selector) {
            let specs: Vec<(String, usize)> =
                apis.iter().map(|a| (a.class.clone(), a.spec)).collect();
            let receiver_class = self.type_class(scan.dex, m.class);
            for (class, spec) in specs {
                let fits =
                    receiver == class || receiver_class.is_some_and(|c| self.inherits(c, &class));
                if fits {
                    scan.async_calls.push((spec, pc));
                }
            }
        }
        if UNRESOLVED_RECEIVERS.contains(&receiver) {
            return;
        }
        for &target in self.ref_dispatch(scan.dex, r, receiver, selector).iter() {
            scan.push(target, pc, Via::Dispatch);
        }
    }

    /// An async API called: the callbacks of the classes the method creates or names (and
    /// its own class, for a callback that re-posts itself).
    fn async_edges(&mut self, scan: &mut MethodScan<'i>) {
        if scan.async_calls.is_empty() {
            return;
        }
        let mut candidates = std::mem::take(&mut scan.candidates);
        candidates.extend(scan.own_class);
        // Objects the class creates in its constructors and static initialiser (kept in a
        // field, registered later: `registerReceiver(this.receiver, …)`).
        if let Some(own) = scan.own_class {
            candidates.extend(self.created_in_initialisers(own));
        }
        candidates.sort_unstable();
        candidates.dedup();
        for (spec, pc) in std::mem::take(&mut scan.async_calls) {
            let callbacks = self.async_callbacks.get(spec).cloned().unwrap_or_default();
            let periodic = self.async_periodic.get(spec).copied().unwrap_or(false);
            for &class in &candidates {
                for &callback in &callbacks {
                    if let Some(target) = self.resolve_up(class, callback) {
                        // A callback that posts itself again runs again and again.
                        let via = if periodic || target == scan.global {
                            Via::Periodic
                        } else {
                            Via::Async
                        };
                        scan.push(target, pc, via);
                    }
                }
            }
        }
    }

    /// The app classes `class`'s constructors and static initialiser create.
    fn created_in_initialisers(&mut self, class: u32) -> Vec<u32> {
        let methods = self.methods_of(class);
        let mut out = Vec::new();
        for &(_, m) in methods.iter() {
            let Some(id) = self.method_id(m) else {
                continue;
            };
            let Some(d) = self.dex(id.dex) else { continue };
            let is_initialiser = d
                .methods
                .get(usize::try_from(id.method).unwrap_or(usize::MAX))
                .and_then(|r| d.method_refs.get(usize::try_from(r.method_ref).ok()?))
                .and_then(|r| d.string(r.name))
                .is_some_and(|name| name == "<init>" || name == "<clinit>");
            if !is_initialiser {
                continue;
            }
            for r in d.method_refs_of(id.method) {
                if r.kind == CodeRefKind::NewInstance
                    && let Some(created) = self.type_class(id.dex, r.index)
                {
                    out.push(created);
                }
            }
        }
        out
    }

    /// A created object handed to a call that takes a framework type it implements (an SDK's
    /// own executor wrapper taking a `Runnable`): its async callbacks will run.
    fn handed_over_edges(&mut self, d: &'i DexCode, scan: &mut MethodScan<'i>) {
        if scan.created.is_empty() || scan.calls.is_empty() {
            return;
        }
        let mut passed = Vec::new();
        for (proto, pc) in std::mem::take(&mut scan.calls) {
            self.framework_params(d, scan.dex, proto, pc, &mut passed);
        }
        let callbacks = Arc::clone(&self.all_callbacks);
        for (class, created_at) in std::mem::take(&mut scan.created) {
            // The first call after the creation that takes a type the class is.
            let handed = passed
                .iter()
                .filter(|(_, pc)| *pc > created_at)
                .find(|(ty, _)| self.inherits(class, ty))
                .map(|&(_, pc)| pc);
            let Some(pc) = handed else {
                continue;
            };
            for &callback in callbacks.iter() {
                if let Some(target) = self.own_or_inherited(class, callback) {
                    scan.push(target, pc, Via::Async);
                }
            }
        }
    }

    /// `Class.forName("a.b.C")` with a constant: `C`'s `<clinit>` and `<init>()`, and with
    /// `getMethod("m")` its methods named `m`.
    fn reflection_edges(&mut self, scan: &mut MethodScan<'i>) {
        let Some(pc) = scan.loads_class else {
            return;
        };
        let named: Vec<u32> = scan
            .strings
            .iter()
            .filter_map(|(s, _)| self.class_named(&format!("L{};", s.replace('.', "/"))))
            .collect();
        let init = self.init_selector;
        for class in named {
            if let Some(clinit) = self.clinit(class) {
                scan.push(clinit, pc, Via::Reflection);
            }
            if let Some(ctor) = self.own_method(class, init) {
                scan.push(ctor, pc, Via::Reflection);
            }
            if scan.finds_method {
                let strings = scan.strings.clone();
                for (name, name_pc) in strings {
                    for m in self.methods_named(class, name) {
                        scan.push(m, name_pc, Via::Reflection);
                    }
                }
            }
        }
    }

    /// The parameter types of proto `proto` that are framework types other than `Object`
    /// (what a created app object could be handed over as), with the call's pc.
    fn framework_params(
        &mut self,
        d: &'i DexCode,
        dex: u32,
        proto: u32,
        pc: u32,
        out: &mut Vec<(&'i str, u32)>,
    ) {
        let Some(p) = d.protos.get(usize::try_from(proto).unwrap_or(usize::MAX)) else {
            return;
        };
        let start = usize::try_from(p.params_start).unwrap_or(usize::MAX);
        let len = usize::try_from(p.params_len).unwrap_or(0);
        let Some(params) = start
            .checked_add(len)
            .and_then(|end| d.proto_params.get(start..end))
        else {
            return;
        };
        for &t in params {
            let Some(ty) = d.type_descriptor(t) else {
                continue;
            };
            if ty.starts_with('L')
                && !ty.starts_with("Ljava/lang/Object;")
                && !ty.starts_with("Ljava/lang/String;")
                && self.type_class(dex, t).is_none()
            {
                out.push((ty, pc));
            }
        }
    }

    /// The method a `callback` call on a `class` object runs, if the app defines one with
    /// code (not an abstract declaration).
    fn own_or_inherited(&mut self, class: u32, callback: u32) -> Option<u32> {
        self.resolve_up(class, callback)
            .filter(|&m| !self.is_abstract(m))
    }

    /// Whether method `global` reads a consent flag (one of the gate APIs) before `pc`,
    /// directly or in a method it calls statically or directly before `pc`.
    pub(crate) fn reads_flag_before(&mut self, global: u32, pc: u32) -> bool {
        let Some(id) = self.method_id(global) else {
            return false;
        };
        let Some(d) = self.dex(id.dex) else {
            return false;
        };
        let gates = self.gates(id.dex);
        let mut helpers = Vec::new();
        for r in d.method_refs_of(id.method) {
            if r.pc >= pc || !r.kind.is_method_call() {
                continue;
            }
            if gates.binary_search(&r.index).is_ok() {
                return true;
            }
            if let Some(m) = d
                .method_refs
                .get(usize::try_from(r.index).unwrap_or(usize::MAX))
                && let Some(class) = self.type_class(id.dex, m.class)
                && let Some(selector) = self.ref_selector(id.dex, r.index)
                && let Some(target) = self.resolve_up(class, selector)
            {
                helpers.push(target);
            }
        }
        helpers.into_iter().any(|helper| {
            let Some(hid) = self.method_id(helper) else {
                return false;
            };
            let Some(hd) = self.dex(hid.dex) else {
                return false;
            };
            let gates = self.gates(hid.dex);
            hd.method_refs_of(hid.method)
                .iter()
                .any(|r| r.kind.is_method_call() && gates.binary_search(&r.index).is_ok())
        })
    }

    fn gates(&mut self, dex: u32) -> Arc<[u32]> {
        let slot = usize::try_from(dex).unwrap_or(usize::MAX);
        if let Some(Some(known)) = self.gate_refs.get(slot) {
            return Arc::clone(known);
        }
        let mut refs: Vec<u32> = self
            .dex(dex)
            .map(|d| {
                self.gate_signatures
                    .iter()
                    .filter_map(|s| d.find_method_ref(s))
                    .collect()
            })
            .unwrap_or_default();
        refs.sort_unstable();
        refs.dedup();
        let out: Arc<[u32]> = refs.into();
        if let Some(cell) = self.gate_refs.get_mut(slot) {
            *cell = Some(Arc::clone(&out));
        }
        out
    }

    /// The methods with any of `selectors` in every loaded app class (callbacks of any class),
    /// in one pass over each dex's methods.
    pub(crate) fn methods_with_selectors(&mut self, selectors: &[String]) -> Vec<u32> {
        let wanted: Vec<(&str, &str)> = selectors
            .iter()
            .filter_map(|s| {
                let p = s.find('(')?;
                Some((s.get(..p)?, s.get(p..)?))
            })
            .collect();
        let index = self.index;
        let mut out = Vec::new();
        for (dex, d) in (0u32..).zip(&index.dex) {
            // Name string index → the protos wanted with that name.
            let mut names: Vec<(u32, &str)> = wanted
                .iter()
                .filter_map(|(name, proto)| Some((d.find_string(name)?, *proto)))
                .collect();
            if names.is_empty() {
                continue;
            }
            names.sort_unstable();
            let Some(&base) = self
                .method_base
                .get(usize::try_from(dex).unwrap_or(usize::MAX))
            else {
                continue;
            };
            for (local, m) in (0u32..).zip(&d.methods) {
                let Some(r) = d
                    .method_refs
                    .get(usize::try_from(m.method_ref).unwrap_or(usize::MAX))
                else {
                    continue;
                };
                let at = names.partition_point(|(n, _)| *n < r.name);
                let protos = names.get(at..).unwrap_or(&[]);
                if protos.first().is_none_or(|(n, _)| *n != r.name) || m.code_units == 0 {
                    continue;
                }
                let Some(proto) = d.proto_string(r.descriptor) else {
                    continue;
                };
                if !protos
                    .iter()
                    .take_while(|(n, _)| *n == r.name)
                    .any(|(_, p)| *p == proto)
                {
                    continue;
                }
                // Only the loaded definition of a class runs.
                let loaded = d
                    .type_descriptor(r.class)
                    .and_then(|c| index.class(c))
                    .is_some_and(|c| c.dex == dex && c.class == m.class);
                if loaded {
                    out.push(base.saturating_add(local));
                }
            }
        }
        out
    }
}

/// Whether a constant string could name a class or a method (`a.b.C`, `run`).
fn looks_like_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '$'))
}
