//! The searches: one breadth-first search per trigger from its entry points, each keeping, for
//! every method it reaches, the call that reached it first — so the chain back to the entry
//! is a shortest one.

use std::collections::{HashMap, HashSet, VecDeque};

use apkscope_facts::code::{CodeIndex, MethodId};

use crate::program::{Edge, IntMap, IntSet, NONE, Program, Via};
use crate::{Config, Trigger};

/// How often the searches ask whether to stop, in methods expanded.
const STOP_POLL: u32 = 1024;

/// One step of a call chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The method.
    pub method: MethodId,
    /// Where it calls the next hop (16-bit code units); `None` for the last hop.
    pub pc: Option<u32>,
    /// How the previous hop reached it ([`Via::Entry`] for the first).
    pub via: Via,
}

/// The triggers that reach a method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Triggers {
    bits: u8,
}

impl Triggers {
    const PERIODIC: u8 = 1 << 4;

    /// Whether `trigger`'s entry points reach the method.
    pub const fn has(self, trigger: Trigger) -> bool {
        self.bits & (1 << trigger.index()) != 0
    }

    /// Whether the method runs again and again (a timer, a repeating alarm, a loop that
    /// re-posts itself).
    pub const fn periodic(self) -> bool {
        self.bits & Self::PERIODIC != 0
    }

    /// Whether no entry point reaches the method.
    pub const fn unreachable(self) -> bool {
        self.bits == 0
    }

    /// The names reports use, earliest first: `startup`, `launch`, `component`, `user`,
    /// `periodic`, or `unreachable` alone.
    pub fn names(self) -> Vec<&'static str> {
        if self.unreachable() {
            return vec!["unreachable"];
        }
        let mut out: Vec<&'static str> = Trigger::ALL
            .iter()
            .filter(|t| self.has(**t))
            .map(|t| t.as_str())
            .collect();
        if self.periodic() {
            out.push("periodic");
        }
        out
    }

    /// Both sets together.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self {
            bits: self.bits | other.bits,
        }
    }
}

/// What reached a method first in one search.
#[derive(Clone, Copy)]
struct Parent {
    from: u32,
    pc: u32,
    via: Via,
}

/// The methods one search reached, each with its parent.
#[derive(Default)]
struct Search {
    parents: IntMap<u32, Parent>,
}

/// Counts that describe the work done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Methods in the code index.
    pub methods: u64,
    /// Methods some entry point reaches.
    pub reached: u64,
    /// Entry-point methods.
    pub entries: u64,
    /// Call edges resolved.
    pub edges: u64,
    /// Virtual call sites cut at [`crate::Limits::max_dispatch_targets`].
    pub capped_sites: u64,
}

/// The result of the searches.
pub struct Analysis<'i> {
    program: Program<'i>,
    /// Edges of every expanded method (CSR: `edge_ranges[m]` into `edges`).
    edge_ranges: IntMap<u32, (u32, u32)>,
    edges: Vec<Edge>,
    searches: [Search; 4],
    periodic: Search,
    user_callbacks: IntSet<u32>,
    entries: u64,
    truncated: bool,
    max_edges: usize,
}

impl<'i> Analysis<'i> {
    pub(crate) fn run(
        index: &'i CodeIndex,
        config: &Config,
        should_stop: &(dyn Fn() -> bool + Sync),
    ) -> Self {
        let program = Program::new(index, &config.asyncs, &config.consent_gates, config.limits);
        let mut analysis = Self {
            program,
            edge_ranges: IntMap::default(),
            edges: Vec::new(),
            searches: Default::default(),
            periodic: Search::default(),
            user_callbacks: IntSet::default(),
            entries: 0,
            truncated: false,
            max_edges: config.limits.max_edges,
        };
        let mut roots: [Vec<u32>; 4] = Default::default();
        for spec in &config.roots {
            let methods = analysis.root_methods(spec.class.as_deref(), &spec.selectors);
            if let Some(slot) = roots.get_mut(spec.trigger.index()) {
                slot.extend(methods);
            }
        }
        for r in &mut roots {
            r.sort_unstable();
            r.dedup();
        }
        analysis.user_callbacks = roots
            .get(Trigger::User.index())
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default();
        analysis.entries = roots
            .iter()
            .map(|r| u64::try_from(r.len()).unwrap_or(u64::MAX))
            .sum();
        let mut periodic_roots: Vec<(u32, u32, u32)> = Vec::new();
        for trigger in Trigger::ALL {
            let starts = roots.get(trigger.index()).cloned().unwrap_or_default();
            let enter_user = trigger == Trigger::User;
            let search = analysis.search(
                starts.iter().map(|&m| (m, NONE, 0, Via::Entry)).collect(),
                enter_user,
                should_stop,
                &mut periodic_roots,
            );
            if let Some(slot) = analysis.searches.get_mut(trigger.index()) {
                *slot = search;
            }
        }
        periodic_roots.sort_unstable();
        periodic_roots.dedup_by_key(|r| r.0);
        let starts = periodic_roots
            .into_iter()
            .map(|(m, _from, pc)| (m, NONE, pc, Via::Periodic))
            .collect();
        analysis.periodic = analysis.search(starts, true, should_stop, &mut Vec::new());
        analysis
    }

    /// The methods an entry spec names.
    fn root_methods(&mut self, class: Option<&str>, selectors: &[String]) -> Vec<u32> {
        let mut out = Vec::new();
        match class {
            Some(descriptor) => {
                let Some(class) = self.program.class_named(descriptor) else {
                    return out;
                };
                self.program.mark_instantiated(class);
                for selector in selectors {
                    let selector = self.program.intern_selector(selector);
                    out.extend(self.program.resolve_up(class, selector));
                }
            }
            None => out.extend(self.program.methods_with_selectors(selectors)),
        }
        out
    }

    /// The callees of `method`, computed once.
    fn edges_of(&mut self, method: u32) -> (u32, u32) {
        if let Some(&range) = self.edge_ranges.get(&method) {
            return range;
        }
        let edges = self.program.callees(method);
        let start = u32::try_from(self.edges.len()).unwrap_or(NONE);
        self.edges.extend(edges);
        let end = u32::try_from(self.edges.len()).unwrap_or(NONE);
        self.edge_ranges.insert(method, (start, end));
        (start, end)
    }

    /// Breadth-first search from `starts` (method, parent, pc, via). Periodic edges met on the
    /// way are added to `periodic` (target, from, pc).
    fn search(
        &mut self,
        starts: Vec<(u32, u32, u32, Via)>,
        enter_user: bool,
        should_stop: &(dyn Fn() -> bool + Sync),
        periodic: &mut Vec<(u32, u32, u32)>,
    ) -> Search {
        let mut search = Search::default();
        let mut queue = VecDeque::new();
        for (m, from, pc, via) in starts {
            if search.parents.contains_key(&m) {
                continue;
            }
            search.parents.insert(m, Parent { from, pc, via });
            queue.push_back(m);
        }
        let mut expanded = 0u32;
        while let Some(m) = queue.pop_front() {
            expanded = expanded.wrapping_add(1);
            if expanded.is_multiple_of(STOP_POLL) && should_stop()
                || self.edges.len() > self.max_edges
            {
                self.truncated = true;
                break;
            }
            let (start, end) = self.edges_of(m);
            for i in start..end {
                let Some(&edge) = self.edges.get(usize::try_from(i).unwrap_or(usize::MAX)) else {
                    break;
                };
                if edge.via == Via::Periodic {
                    periodic.push((edge.target, m, edge.pc));
                }
                if !enter_user && self.user_callbacks.contains(&edge.target) {
                    continue;
                }
                if search.parents.contains_key(&edge.target) {
                    continue;
                }
                search.parents.insert(
                    edge.target,
                    Parent {
                        from: m,
                        pc: edge.pc,
                        via: edge.via,
                    },
                );
                queue.push_back(edge.target);
            }
        }
        search
    }

    /// Which triggers reach `method`.
    pub fn triggers(&self, method: MethodId) -> Triggers {
        let Some(global) = self.program.global(method) else {
            return Triggers::default();
        };
        let mut bits = 0u8;
        for trigger in Trigger::ALL {
            if self
                .searches
                .get(trigger.index())
                .is_some_and(|s| s.parents.contains_key(&global))
            {
                bits |= 1 << trigger.index();
            }
        }
        if self.periodic.parents.contains_key(&global) {
            bits |= Triggers::PERIODIC;
        }
        Triggers { bits }
    }

    /// The shortest chain from an entry point of `trigger` to `method`, entry first; the last
    /// hop's `pc` is `None`. `None` when the trigger does not reach the method.
    pub fn path(&self, trigger: Trigger, method: MethodId) -> Option<Vec<Hop>> {
        let global = self.program.global(method)?;
        let search = self.searches.get(trigger.index())?;
        self.chain(search, global)
    }

    /// The shortest chain from a periodic callback's caller to `method`.
    pub fn periodic_path(&self, method: MethodId) -> Option<Vec<Hop>> {
        let global = self.program.global(method)?;
        self.chain(&self.periodic, global)
    }

    fn chain(&self, search: &Search, global: u32) -> Option<Vec<Hop>> {
        let mut hops = Vec::new();
        let mut current = global;
        let mut next_pc = None;
        for _ in 0..=search.parents.len() {
            let parent = search.parents.get(&current)?;
            hops.push(Hop {
                method: self.program.method_id(current)?,
                pc: next_pc,
                via: parent.via,
            });
            if parent.from == NONE {
                hops.reverse();
                return Some(hops);
            }
            next_pc = Some(parent.pc);
            current = parent.from;
        }
        None
    }

    /// Whether the chain waits on a stored consent flag: a method at its start, in the entry's
    /// package, reads one (a gate API, or a helper it calls) before the call the chain takes;
    /// `site_pc` is the call the last hop makes (the chain's own hops carry the others).
    pub fn conditional(&mut self, chain: &[Hop], site_pc: u32) -> bool {
        let Some(first) = chain.first() else {
            return false;
        };
        let Some(entry_class) = self
            .program
            .global(first.method)
            .and_then(|g| self.program.class_of(g))
            .and_then(|c| self.program.class_descriptor(c))
        else {
            return false;
        };
        let package = package_of(entry_class);
        for hop in chain {
            let pc = hop.pc.unwrap_or(site_pc);
            let Some(global) = self.program.global(hop.method) else {
                break;
            };
            let in_package = self
                .program
                .class_of(global)
                .and_then(|c| self.program.class_descriptor(c))
                .is_some_and(|d| package_of(d) == package);
            if !in_package {
                break;
            }
            if self.program.reads_flag_before(global, pc) {
                return true;
            }
        }
        false
    }

    /// For `explain`: one shortest chain from each entry point (of any trigger) that reaches
    /// `method`, over the graph the searches built, at most `limit` of them, entries in order.
    pub fn chains_to(&self, method: MethodId, limit: usize) -> Vec<(Trigger, Vec<Hop>)> {
        let Some(target) = self.program.global(method) else {
            return Vec::new();
        };
        // Reverse edges of everything expanded.
        let mut callers: HashMap<u32, Vec<(u32, u32, Via)>> = HashMap::new();
        let mut expanded: Vec<(&u32, &(u32, u32))> = self.edge_ranges.iter().collect();
        expanded.sort_unstable();
        for (&from, &(start, end)) in expanded {
            for i in start..end {
                if let Some(edge) = self.edges.get(usize::try_from(i).unwrap_or(usize::MAX)) {
                    callers
                        .entry(edge.target)
                        .or_default()
                        .push((from, edge.pc, edge.via));
                }
            }
        }
        // Backward breadth-first search: for each method, the next hop towards the target.
        let mut next: HashMap<u32, (u32, u32, Via)> = HashMap::new();
        let mut queue = VecDeque::from([target]);
        let mut order = vec![target];
        next.insert(target, (NONE, 0, Via::Entry));
        while let Some(m) = queue.pop_front() {
            for &(from, pc, via) in callers.get(&m).map_or(&[][..], Vec::as_slice) {
                if next.contains_key(&from) {
                    continue;
                }
                next.insert(from, (m, pc, via));
                order.push(from);
                queue.push_back(from);
            }
        }
        let mut out = Vec::new();
        for trigger in Trigger::ALL {
            let Some(search) = self.searches.get(trigger.index()) else {
                continue;
            };
            let mut entries: Vec<u32> = order
                .iter()
                .copied()
                .filter(|m| search.parents.get(m).is_some_and(|p| p.from == NONE))
                .collect();
            entries.sort_unstable();
            for entry in entries {
                if out.len() >= limit {
                    return out;
                }
                let mut hops = Vec::new();
                let mut current = entry;
                let mut via = Via::Entry;
                for _ in 0..=next.len() {
                    let Some(&(to, pc, next_via)) = next.get(&current) else {
                        break;
                    };
                    let Some(id) = self.program.method_id(current) else {
                        break;
                    };
                    hops.push(Hop {
                        method: id,
                        pc: (to != NONE).then_some(pc),
                        via,
                    });
                    if to == NONE {
                        break;
                    }
                    via = next_via;
                    current = to;
                }
                out.push((trigger, hops));
            }
        }
        out
    }

    /// Whether a search was cut short (the caller said stop).
    pub const fn truncated(&self) -> bool {
        self.truncated || self.program.hierarchy_cut
    }

    /// What the searches did.
    pub fn stats(&self) -> Stats {
        let mut reached: HashSet<u32> = HashSet::new();
        for s in &self.searches {
            reached.extend(s.parents.keys().copied());
        }
        Stats {
            methods: u64::from(self.program.method_count()),
            reached: u64::try_from(reached.len()).unwrap_or(u64::MAX),
            entries: self.entries,
            edges: u64::try_from(self.edges.len()).unwrap_or(u64::MAX),
            capped_sites: self.program.capped_sites,
        }
    }
}

/// The first two segments of a class's package (`Lcom/example/` of `Lcom/example/a/B;`).
fn package_of(descriptor: &str) -> &str {
    let mut slashes = descriptor.match_indices('/').map(|(i, _)| i);
    let end = slashes
        .nth(1)
        .or_else(|| descriptor.rfind('/'))
        .unwrap_or(0);
    descriptor.get(..end).unwrap_or("")
}
