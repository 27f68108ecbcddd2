//! The call graph of an app, and what its entry points reach.
//!
//! # Overview
//!
//! The graph is built over the engine's code index ([`apkscope_facts::code::CodeIndex`]):
//! methods are integers, a method's callees are computed from the references its bytecode
//! makes, and only what an entry point reaches is ever resolved — the graph is built lazily,
//! as the traversal walks it, and each method's edges once.
//!
//! Edges:
//! - `invoke-static`, `invoke-direct` and `invoke-super` to the method the class hierarchy
//!   resolves (the named class, else its nearest app-defined ancestor that defines it);
//! - `invoke-virtual` and `invoke-interface` to every override in the APK (class-hierarchy
//!   analysis over app and SDK classes alike, framework interfaces included: a call to
//!   `Runnable.run` reaches every app `run()`), narrowed to the classes the app creates when
//!   any of them fits (as rapid type analysis does), capped per call site;
//! - the platform's implicit calls ([`AsyncSpec`]): `Thread.start`, `Handler.post`,
//!   `Executor.execute`, timers, `startService`… in a method that creates (or names with
//!   `const-class`) an app class reach that class's callbacks (`run`, `handleMessage`,
//!   `onStartCommand`…), and so does a created object handed to any call that takes a
//!   framework type it implements (an SDK's own executor wrapper); a callback that re-posts
//!   itself is a periodic loop;
//! - `<clinit>` of a class when a method first uses it (`new-instance`, a static field, a static
//!   call);
//! - reflection with constant strings (`Class.forName("a.b.C")`, then `getMethod("m")`).
//!
//! Entry points ([`RootSpec`]) come with a [`Trigger`]: `startup` (the Application, content
//! providers, startup initialisers), `launch` (the launcher activity), `component` (other
//! activities, services, receivers) and `user` (UI callbacks). One breadth-first search per
//! trigger gives, for every method, whether that trigger reaches it and the shortest chain from
//! the nearest entry; the searches from `startup`, `launch` and `component` do not enter user
//! callbacks, so a chain through a click handler counts as a user action, not as startup.
//!
//! # Bounds
//!
//! Work is linear in what is reached: every reachable method is expanded once, a virtual call
//! site resolves to at most [`Limits::max_dispatch_targets`] methods, a receiver's subtypes
//! are walked up to [`Limits::max_subtypes`], the edges kept stop at [`Limits::max_edges`], and
//! the searches stop when the caller's `should_stop` says so. A cut search says so
//! ([`Analysis::truncated`]). Maps keyed by method and class numbers use a fast hasher seeded
//! per process; maps keyed by names the APK chooses keep the standard library's.

mod program;
mod reach;

pub use program::Via;
pub use reach::{Analysis, Hop, Stats, Triggers};

use apkscope_facts::code::CodeIndex;

/// When an entry point runs, from the earliest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trigger {
    /// When the process starts, before any UI.
    Startup,
    /// When the user opens the app (the launcher activity).
    Launch,
    /// When another component is started.
    Component,
    /// When the user acts on the UI.
    User,
}

impl Trigger {
    /// Every trigger, earliest first.
    pub const ALL: [Self; 4] = [Self::Startup, Self::Launch, Self::Component, Self::User];

    /// The name reports use: `startup`, `launch`, `component`, `user`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Startup => "startup",
            Self::Launch => "launch",
            Self::Component => "component",
            Self::User => "user",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Startup => 0,
            Self::Launch => 1,
            Self::Component => 2,
            Self::User => 3,
        }
    }
}

/// Entry points: methods the platform calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootSpec {
    /// When they run.
    pub trigger: Trigger,
    /// The class whose methods run (a descriptor, `Lcom/example/App;`): the method is the one
    /// the class or its nearest app-defined ancestor defines. `None`: every app class's
    /// methods with these selectors (UI callbacks).
    pub class: Option<String>,
    /// Method selectors `name(params)ret`.
    pub selectors: Vec<String>,
}

/// A platform API that calls app code back later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsyncSpec {
    /// Method signatures `Lcls;->name(params)ret` (a call on an app subclass of `cls` counts).
    pub apis: Vec<String>,
    /// The callbacks they run (selectors).
    pub callbacks: Vec<String>,
    /// Whether they run the callbacks again and again.
    pub periodic: bool,
}

/// Bounds on the work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most methods one virtual call site resolves to; beyond it the site keeps this many
    /// (in class order) and the analysis is marked truncated.
    pub max_dispatch_targets: usize,
    /// Most subtypes walked to resolve one virtual call.
    pub max_subtypes: usize,
    /// Most edges kept in all (12 bytes each): a crafted app whose every method calls
    /// interfaces with hundreds of implementations would otherwise make the graph quadratic.
    /// Past it the searches stop and the analysis is marked truncated.
    pub max_edges: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_dispatch_targets: 256,
            max_subtypes: 4096,
            // 16 M edges, 192 MB: 30 times what the 638 k-method benchmark APK needs.
            max_edges: 16 << 20,
        }
    }
}

/// What the graph starts from and how the platform calls code back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Entry points.
    pub roots: Vec<RootSpec>,
    /// Implicit calls.
    pub asyncs: Vec<AsyncSpec>,
    /// APIs that read a stored consent flag (method signatures).
    pub consent_gates: Vec<String>,
    /// Bounds.
    pub limits: Limits,
}

/// Runs the searches from every entry point of `config` over `index`. `should_stop` is asked
/// now and then; when it says yes the searches end and the result is marked truncated.
pub fn analyze<'i>(
    index: &'i CodeIndex,
    config: &Config,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Analysis<'i> {
    Analysis::run(index, config, should_stop)
}
