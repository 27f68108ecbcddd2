//! The call graph over small hand-built code indexes: edges, entry triggers, chains, bounds.

// Test helpers may panic: a panic is how a test reports failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;

use apkscope_facts::code::{
    ClassRecord, CodeIndex, CodeRef, CodeRefKind, DexCode, MemberRef, MethodId, MethodRecord,
    Proto, StringTable,
};
use apkscope_graph::{AsyncSpec, Config, Hop, Limits, RootSpec, Trigger, Via, analyze};

/// One instruction's reference.
enum Op {
    Static(&'static str),
    Direct(&'static str),
    Virtual(&'static str),
    Interface(&'static str),
    New(&'static str),
    Class(&'static str),
    Str(&'static str),
    StaticGet(&'static str),
}

struct ClassDef {
    descriptor: &'static str,
    superclass: Option<&'static str>,
    interfaces: Vec<&'static str>,
    methods: Vec<(&'static str, Vec<Op>)>,
}

fn class(descriptor: &'static str, superclass: &'static str) -> ClassDef {
    ClassDef {
        descriptor,
        superclass: Some(superclass),
        interfaces: Vec::new(),
        methods: Vec::new(),
    }
}

impl ClassDef {
    fn implements(mut self, interface: &'static str) -> Self {
        self.interfaces.push(interface);
        self
    }

    fn method(mut self, selector: &'static str, ops: Vec<Op>) -> Self {
        self.methods.push((selector, ops));
        self
    }
}

#[derive(Default)]
struct Builder {
    strings: Vec<String>,
    string_ids: HashMap<String, u32>,
    types: Vec<u32>,
    type_ids: HashMap<String, u32>,
    protos: Vec<Proto>,
    proto_params: Vec<u32>,
    proto_ids: HashMap<String, u32>,
    method_refs: Vec<MemberRef>,
    method_ids: HashMap<String, u32>,
    field_refs: Vec<MemberRef>,
}

impl Builder {
    fn string(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.string_ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap();
        self.strings.push(s.to_owned());
        self.string_ids.insert(s.to_owned(), id);
        id
    }

    fn ty(&mut self, descriptor: &str) -> u32 {
        if let Some(&id) = self.type_ids.get(descriptor) {
            return id;
        }
        let string = self.string(descriptor);
        let id = u32::try_from(self.types.len()).unwrap();
        self.types.push(string);
        self.type_ids.insert(descriptor.to_owned(), id);
        id
    }

    fn proto(&mut self, proto: &str) -> u32 {
        if let Some(&id) = self.proto_ids.get(proto) {
            return id;
        }
        let (params, ret) = proto[1..].split_once(')').unwrap();
        let mut list = Vec::new();
        let bytes = params.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let start = i;
            while bytes[i] == b'[' {
                i += 1;
            }
            if bytes[i] == b'L' {
                i += params[i..].find(';').unwrap();
            }
            i += 1;
            list.push(self.ty(&params[start..i]));
        }
        let return_type = self.ty(ret);
        let id = u32::try_from(self.protos.len()).unwrap();
        self.protos.push(Proto {
            return_type,
            params_start: u32::try_from(self.proto_params.len()).unwrap(),
            params_len: u32::try_from(list.len()).unwrap(),
        });
        self.proto_params.extend(list);
        self.proto_ids.insert(proto.to_owned(), id);
        id
    }

    fn method_ref(&mut self, signature: &str) -> u32 {
        if let Some(&id) = self.method_ids.get(signature) {
            return id;
        }
        let (class, rest) = signature.split_once("->").unwrap();
        let paren = rest.find('(').unwrap();
        let class = self.ty(class);
        let name = self.string(&rest[..paren]);
        let descriptor = self.proto(&rest[paren..]);
        let id = u32::try_from(self.method_refs.len()).unwrap();
        self.method_refs.push(MemberRef {
            class,
            name,
            descriptor,
        });
        self.method_ids.insert(signature.to_owned(), id);
        id
    }

    fn field_ref(&mut self, signature: &str) -> u32 {
        let (class, rest) = signature.split_once("->").unwrap();
        let (name, ty) = rest.split_once(':').unwrap();
        let class = self.ty(class);
        let name = self.string(name);
        let descriptor = self.ty(ty);
        let id = u32::try_from(self.field_refs.len()).unwrap();
        self.field_refs.push(MemberRef {
            class,
            name,
            descriptor,
        });
        id
    }
}

/// One dex file with these classes.
#[allow(clippy::needless_pass_by_value)] // tests pass a fresh vec!
fn index(classes: Vec<ClassDef>) -> CodeIndex {
    let mut b = Builder::default();
    let mut records = Vec::new();
    let mut interfaces = Vec::new();
    let mut methods = Vec::new();
    let mut refs = Vec::new();
    for (class_index, c) in classes.iter().enumerate() {
        let type_idx = b.ty(c.descriptor);
        let superclass = c.superclass.map(|s| b.ty(s));
        let interfaces_start = u32::try_from(interfaces.len()).unwrap();
        for i in &c.interfaces {
            let t = b.ty(i);
            interfaces.push(t);
        }
        let methods_start = u32::try_from(methods.len()).unwrap();
        for (selector, ops) in &c.methods {
            let method_ref = b.method_ref(&format!("{}->{selector}", c.descriptor));
            let refs_start = u32::try_from(refs.len()).unwrap();
            for (pc, op) in (0u32..).step_by(3).zip(ops) {
                let (kind, index) = match op {
                    Op::Static(s) => (CodeRefKind::InvokeStatic, b.method_ref(s)),
                    Op::Direct(s) => (CodeRefKind::InvokeDirect, b.method_ref(s)),
                    Op::Virtual(s) => (CodeRefKind::InvokeVirtual, b.method_ref(s)),
                    Op::Interface(s) => (CodeRefKind::InvokeInterface, b.method_ref(s)),
                    Op::New(t) => (CodeRefKind::NewInstance, b.ty(t)),
                    Op::Class(t) => (CodeRefKind::ConstClass, b.ty(t)),
                    Op::Str(s) => (CodeRefKind::ConstString, b.string(s)),
                    Op::StaticGet(f) => (CodeRefKind::StaticFieldRead, b.field_ref(f)),
                };
                refs.push(CodeRef { kind, index, pc });
            }
            methods.push(MethodRecord {
                class: u32::try_from(class_index).unwrap(),
                method_ref,
                access_flags: 0x1,
                code_units: 3 * u32::try_from(ops.len()).unwrap() + 1,
                refs_start,
                refs_len: u32::try_from(refs.len()).unwrap() - refs_start,
            });
        }
        records.push(ClassRecord {
            type_idx,
            access_flags: 0x1,
            superclass,
            interfaces_start,
            interfaces_len: u32::try_from(c.interfaces.len()).unwrap(),
            source_file: None,
            methods_start,
            direct_methods: 0,
            virtual_methods: u32::try_from(c.methods.len()).unwrap(),
        });
    }
    let mut strings = StringTable::default();
    for s in &b.strings {
        strings.push(s);
    }
    let mut dex = DexCode::default();
    "classes.dex".clone_into(&mut dex.entry);
    dex.strings = strings;
    dex.types = b.types;
    dex.protos = b.protos;
    dex.proto_params = b.proto_params;
    dex.method_refs = b.method_refs;
    dex.field_refs = b.field_refs;
    dex.classes = records;
    dex.class_interfaces = interfaces;
    dex.methods = methods;
    dex.refs = refs;
    dex.sorted = false;
    CodeIndex::new(vec![dex])
}

fn method(index: &CodeIndex, signature: &str) -> MethodId {
    let d = &index.dex[0];
    let r = d.find_method_ref(signature).expect(signature);
    let local = d
        .methods
        .iter()
        .position(|m| m.method_ref == r)
        .expect(signature);
    MethodId {
        dex: 0,
        method: u32::try_from(local).unwrap(),
    }
}

fn signatures(index: &CodeIndex, chain: &[Hop]) -> Vec<String> {
    chain
        .iter()
        .map(|h| {
            let sig = index.method_signature(h.method).unwrap();
            match h.pc {
                Some(pc) => format!("{sig}@{pc}"),
                None => sig,
            }
        })
        .collect()
}

fn startup(class: &str, selectors: &[&str]) -> RootSpec {
    root(Trigger::Startup, Some(class), selectors)
}

fn root(trigger: Trigger, class: Option<&str>, selectors: &[&str]) -> RootSpec {
    RootSpec {
        trigger,
        class: class.map(str::to_owned),
        selectors: selectors.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn config(roots: Vec<RootSpec>) -> Config {
    Config {
        roots,
        asyncs: vec![
            AsyncSpec {
                apis: vec!["Ljava/lang/Thread;->start()V".to_owned()],
                callbacks: vec!["run()V".to_owned()],
                periodic: false,
            },
            AsyncSpec {
                apis: vec!["Landroid/os/Handler;->postDelayed(Ljava/lang/Runnable;J)Z".to_owned()],
                callbacks: vec!["run()V".to_owned()],
                periodic: false,
            },
            AsyncSpec {
                apis: vec!["Ljava/util/Timer;->schedule(Ljava/util/TimerTask;JJ)V".to_owned()],
                callbacks: vec!["run()V".to_owned()],
                periodic: true,
            },
            AsyncSpec {
                apis: vec![
                    "Landroid/content/Context;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;"
                        .to_owned(),
                ],
                callbacks: vec!["onStartCommand(Landroid/content/Intent;II)I".to_owned()],
                periodic: false,
            },
        ],
        consent_gates: vec![
            "Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z".to_owned(),
        ],
        limits: Limits::default(),
    }
}

const NEVER: &(dyn Fn() -> bool + Sync) = &|| false;

#[test]
fn static_calls_give_the_shortest_chain_with_pcs() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;").method(
            "onCreate()V",
            vec![
                Op::Static("Lcom/host/Setup;->slow()V"),
                Op::Static("Lcn/sdk/Api;->init()V"),
            ],
        ),
        class("Lcom/host/Setup;", "Ljava/lang/Object;")
            .method("slow()V", vec![Op::Static("Lcom/host/Setup;->slower()V")])
            .method("slower()V", vec![Op::Static("Lcn/sdk/Core;->collect()V")]),
        class("Lcn/sdk/Api;", "Ljava/lang/Object;")
            .method("init()V", vec![Op::Static("Lcn/sdk/Core;->collect()V")]),
        class("Lcn/sdk/Core;", "Ljava/lang/Object;").method(
            "collect()V",
            vec![Op::Virtual(
                "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
            )],
        ),
        class("Lcn/sdk/Dead;", "Ljava/lang/Object;")
            .method("never()V", vec![Op::Static("Lcn/sdk/Core;->collect()V")]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![startup("Lcom/host/App;", &["onCreate()V"])]),
        NEVER,
    );
    let collect = method(&index, "Lcn/sdk/Core;->collect()V");
    let chain = analysis.path(Trigger::Startup, collect).unwrap();
    assert_eq!(
        signatures(&index, &chain),
        [
            "Lcom/host/App;->onCreate()V@3",
            "Lcn/sdk/Api;->init()V@0",
            "Lcn/sdk/Core;->collect()V"
        ]
    );
    assert_eq!(chain[0].via, Via::Entry);
    assert_eq!(chain[1].via, Via::Call);
    assert_eq!(analysis.triggers(collect).names(), ["startup"]);
    assert!(analysis.path(Trigger::Launch, collect).is_none());
    let dead = method(&index, "Lcn/sdk/Dead;->never()V");
    assert_eq!(analysis.triggers(dead).names(), ["unreachable"]);
    assert!(!analysis.truncated());
}

#[test]
fn virtual_calls_reach_the_overrides_the_app_creates() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;").method(
            "onCreate()V",
            vec![
                Op::New("Lcom/host/Fast;"),
                Op::Direct("Lcom/host/Fast;-><init>()V"),
                Op::Interface("Lcom/host/Task;->go()V"),
            ],
        ),
        class("Lcom/host/Fast;", "Ljava/lang/Object;")
            .implements("Lcom/host/Task;")
            .method("<init>()V", vec![])
            .method("go()V", vec![]),
        class("Lcom/host/Slow;", "Ljava/lang/Object;")
            .implements("Lcom/host/Task;")
            .method("go()V", vec![]),
        // Inherits go() from Fast: dispatch on a SubFast runs Fast.go.
        class("Lcom/host/SubFast;", "Lcom/host/Fast;"),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![startup("Lcom/host/App;", &["onCreate()V"])]),
        NEVER,
    );
    let fast = method(&index, "Lcom/host/Fast;->go()V");
    let slow = method(&index, "Lcom/host/Slow;->go()V");
    assert!(analysis.triggers(fast).has(Trigger::Startup));
    assert_eq!(
        analysis.path(Trigger::Startup, fast).unwrap()[1].via,
        Via::Dispatch
    );
    // Nothing creates a Slow: class-hierarchy analysis narrowed to created classes skips it.
    assert!(analysis.triggers(slow).unreachable());
}

#[test]
fn with_no_created_class_dispatch_falls_back_to_every_override() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;")
            .method("onCreate()V", vec![Op::Interface("Lcom/host/Task;->go()V")]),
        class("Lcom/host/A;", "Ljava/lang/Object;")
            .implements("Lcom/host/Task;")
            .method("go()V", vec![]),
        class("Lcom/host/B;", "Ljava/lang/Object;")
            .implements("Lcom/host/Task;")
            .method("go()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![startup("Lcom/host/App;", &["onCreate()V"])]),
        NEVER,
    );
    for sig in ["Lcom/host/A;->go()V", "Lcom/host/B;->go()V"] {
        assert!(
            analysis.triggers(method(&index, sig)).has(Trigger::Startup),
            "{sig}"
        );
    }
}

#[test]
fn startup_never_enters_a_user_callback() {
    let index = index(vec![
        class("Lcom/host/Main;", "Landroid/app/Activity;").method(
            "onCreate(Landroid/os/Bundle;)V",
            vec![
                Op::New("Lcom/host/Agree;"),
                Op::Direct("Lcom/host/Agree;-><init>()V"),
                Op::Virtual(
                    "Landroid/app/AlertDialog$Builder;->setPositiveButton(Ljava/lang/CharSequence;Landroid/content/DialogInterface$OnClickListener;)Landroid/app/AlertDialog$Builder;",
                ),
                // SDK-style code calling listeners itself must not make the click a launch.
                Op::Interface(
                    "Landroid/content/DialogInterface$OnClickListener;->onClick(Landroid/content/DialogInterface;I)V",
                ),
            ],
        ),
        class("Lcom/host/Agree;", "Ljava/lang/Object;")
            .implements("Landroid/content/DialogInterface$OnClickListener;")
            .method("<init>()V", vec![])
            .method(
                "onClick(Landroid/content/DialogInterface;I)V",
                vec![Op::Static("Lcn/sdk/Api;->init()V")],
            ),
        class("Lcn/sdk/Api;", "Ljava/lang/Object;").method("init()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![
            root(
                Trigger::Launch,
                Some("Lcom/host/Main;"),
                &["onCreate(Landroid/os/Bundle;)V"],
            ),
            root(
                Trigger::User,
                None,
                &["onClick(Landroid/content/DialogInterface;I)V"],
            ),
        ]),
        NEVER,
    );
    let init = method(&index, "Lcn/sdk/Api;->init()V");
    assert_eq!(analysis.triggers(init).names(), ["user"]);
    let chain = analysis.path(Trigger::User, init).unwrap();
    assert_eq!(
        signatures(&index, &chain),
        [
            "Lcom/host/Agree;->onClick(Landroid/content/DialogInterface;I)V@0",
            "Lcn/sdk/Api;->init()V"
        ]
    );
}

#[test]
fn threads_and_self_reposting_runnables() {
    let index = index(vec![
        class("Lcom/host/Main;", "Landroid/app/Activity;").method(
            "onCreate(Landroid/os/Bundle;)V",
            vec![
                Op::New("Lcom/host/Worker;"),
                Op::Direct("Lcom/host/Worker;-><init>()V"),
                Op::Virtual("Ljava/lang/Thread;->start()V"),
                Op::New("Lcom/host/Poller;"),
                Op::Direct("Lcom/host/Poller;-><init>()V"),
                Op::Virtual("Landroid/os/Handler;->postDelayed(Ljava/lang/Runnable;J)Z"),
            ],
        ),
        class("Lcom/host/Worker;", "Ljava/lang/Thread;")
            .method("<init>()V", vec![])
            .method("run()V", vec![Op::Static("Lcom/host/Once;->read()V")]),
        class("Lcom/host/Poller;", "Ljava/lang/Object;")
            .implements("Ljava/lang/Runnable;")
            .method("<init>()V", vec![])
            .method(
                "run()V",
                vec![
                    Op::Static("Lcom/host/Wifi;->mac()V"),
                    Op::Virtual("Landroid/os/Handler;->postDelayed(Ljava/lang/Runnable;J)Z"),
                ],
            ),
        class("Lcom/host/Once;", "Ljava/lang/Object;").method("read()V", vec![]),
        class("Lcom/host/Wifi;", "Ljava/lang/Object;").method("mac()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![root(
            Trigger::Launch,
            Some("Lcom/host/Main;"),
            &["onCreate(Landroid/os/Bundle;)V"],
        )]),
        NEVER,
    );
    let once = method(&index, "Lcom/host/Once;->read()V");
    let mac = method(&index, "Lcom/host/Wifi;->mac()V");
    assert_eq!(analysis.triggers(once).names(), ["launch"]);
    assert_eq!(analysis.triggers(mac).names(), ["launch", "periodic"]);
    let chain = analysis.path(Trigger::Launch, once).unwrap();
    assert_eq!(chain[1].via, Via::Async);
    assert_eq!(
        signatures(&index, &chain),
        [
            "Lcom/host/Main;->onCreate(Landroid/os/Bundle;)V@6",
            "Lcom/host/Worker;->run()V@0",
            "Lcom/host/Once;->read()V"
        ]
    );
    let periodic = analysis.periodic_path(mac).unwrap();
    assert_eq!(periodic[0].via, Via::Periodic);
}

#[test]
fn timers_are_periodic() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;").method(
            "onCreate()V",
            vec![
                Op::New("Lcom/host/Tick;"),
                Op::Direct("Lcom/host/Tick;-><init>()V"),
                Op::Virtual("Ljava/util/Timer;->schedule(Ljava/util/TimerTask;JJ)V"),
            ],
        ),
        class("Lcom/host/Boot;", "Landroid/content/BroadcastReceiver;").method(
            "onReceive(Landroid/content/Context;Landroid/content/Intent;)V",
            vec![
                Op::Class("Lcom/host/Sync;"),
                Op::Virtual(
                    "Landroid/content/Context;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;",
                ),
            ],
        ),
        class("Lcom/host/Sync;", "Landroid/app/Service;")
            .method("onStartCommand(Landroid/content/Intent;II)I", vec![]),
        class("Lcom/host/Tick;", "Ljava/util/TimerTask;")
            .method("<init>()V", vec![])
            .method("run()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![
            startup("Lcom/host/App;", &["onCreate()V"]),
            root(
                Trigger::Component,
                Some("Lcom/host/Boot;"),
                &["onReceive(Landroid/content/Context;Landroid/content/Intent;)V"],
            ),
        ]),
        NEVER,
    );
    let run = method(&index, "Lcom/host/Tick;->run()V");
    assert_eq!(analysis.triggers(run).names(), ["startup", "periodic"]);
    let sync = method(
        &index,
        "Lcom/host/Sync;->onStartCommand(Landroid/content/Intent;II)I",
    );
    assert_eq!(analysis.triggers(sync).names(), ["component"]);
    assert_eq!(
        analysis.path(Trigger::Startup, run).unwrap()[1].via,
        Via::Periodic
    );
}

#[test]
fn static_initialisers_and_reflection() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;").method(
            "onCreate()V",
            vec![
                Op::StaticGet("Lcn/sdk/Config;->KEY:Ljava/lang/String;"),
                Op::Str("cn.sdk.Hidden"),
                Op::Static("Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;"),
                Op::Str("start"),
                Op::Virtual(
                    "Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;",
                ),
            ],
        ),
        class("Lcn/sdk/Config;", "Ljava/lang/Object;").method("<clinit>()V", vec![]),
        class("Lcn/sdk/Hidden;", "Ljava/lang/Object;")
            .method("<init>()V", vec![])
            .method("start()V", vec![])
            .method("stop()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![startup("Lcom/host/App;", &["onCreate()V"])]),
        NEVER,
    );
    let clinit = method(&index, "Lcn/sdk/Config;-><clinit>()V");
    assert_eq!(
        analysis.path(Trigger::Startup, clinit).unwrap()[1].via,
        Via::Clinit
    );
    let start = method(&index, "Lcn/sdk/Hidden;->start()V");
    assert_eq!(
        analysis.path(Trigger::Startup, start).unwrap()[1].via,
        Via::Reflection
    );
    assert!(
        analysis
            .triggers(method(&index, "Lcn/sdk/Hidden;->stop()V"))
            .unreachable()
    );
}

#[test]
fn a_stored_flag_read_before_the_call_makes_the_chain_conditional() {
    let gate = "Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z";
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;")
            .method(
                "onCreate()V",
                vec![Op::Interface(gate), Op::Static("Lcn/sdk/Api;->init()V")],
            )
            .method(
                "attachBaseContext(Landroid/content/Context;)V",
                vec![Op::Static("Lcn/sdk/Api;->early()V"), Op::Interface(gate)],
            )
            .method(
                "onTerminate()V",
                vec![
                    Op::Static("Lcom/host/Privacy;->agreed()Z"),
                    Op::Static("Lcn/sdk/Api;->late()V"),
                ],
            ),
        class("Lcom/host/Privacy;", "Ljava/lang/Object;")
            .method("agreed()Z", vec![Op::Interface(gate)]),
        class("Lcn/sdk/Api;", "Ljava/lang/Object;")
            .method("init()V", vec![])
            .method("early()V", vec![])
            .method("late()V", vec![]),
    ]);
    let mut analysis = analyze(
        &index,
        &config(vec![startup(
            "Lcom/host/App;",
            &[
                "onCreate()V",
                "attachBaseContext(Landroid/content/Context;)V",
                "onTerminate()V",
            ],
        )]),
        NEVER,
    );
    for (sig, expected) in [
        ("Lcn/sdk/Api;->init()V", true),
        ("Lcn/sdk/Api;->early()V", false),
        ("Lcn/sdk/Api;->late()V", true),
    ] {
        let chain = analysis
            .path(Trigger::Startup, method(&index, sig))
            .unwrap();
        assert_eq!(analysis.conditional(&chain, 0), expected, "{sig}");
    }
}

#[test]
fn cycles_terminate_and_explain_lists_a_chain_per_entry() {
    let index = index(vec![
        class("Lcom/host/App;", "Landroid/app/Application;")
            .method("onCreate()V", vec![Op::Static("Lcom/host/A;->a()V")]),
        class("Lcom/host/Main;", "Landroid/app/Activity;").method(
            "onCreate(Landroid/os/Bundle;)V",
            vec![Op::Static("Lcom/host/B;->b()V")],
        ),
        class("Lcom/host/A;", "Ljava/lang/Object;").method(
            "a()V",
            vec![
                Op::Static("Lcom/host/B;->b()V"),
                Op::Static("Lcom/host/A;->a()V"),
            ],
        ),
        class("Lcom/host/B;", "Ljava/lang/Object;").method(
            "b()V",
            vec![
                Op::Static("Lcom/host/A;->a()V"),
                Op::Static("Lcom/host/C;->sink()V"),
            ],
        ),
        class("Lcom/host/C;", "Ljava/lang/Object;").method("sink()V", vec![]),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![
            startup("Lcom/host/App;", &["onCreate()V"]),
            root(
                Trigger::Launch,
                Some("Lcom/host/Main;"),
                &["onCreate(Landroid/os/Bundle;)V"],
            ),
        ]),
        NEVER,
    );
    let sink = method(&index, "Lcom/host/C;->sink()V");
    assert_eq!(analysis.triggers(sink).names(), ["startup", "launch"]);
    let chains = analysis.chains_to(sink, 10);
    let rendered: Vec<(Trigger, Vec<String>)> = chains
        .iter()
        .map(|(t, c)| (*t, signatures(&index, c)))
        .collect();
    assert_eq!(
        rendered,
        [
            (
                Trigger::Startup,
                vec![
                    "Lcom/host/App;->onCreate()V@0".to_owned(),
                    "Lcom/host/A;->a()V@0".to_owned(),
                    "Lcom/host/B;->b()V@3".to_owned(),
                    "Lcom/host/C;->sink()V".to_owned()
                ]
            ),
            (
                Trigger::Launch,
                vec![
                    "Lcom/host/Main;->onCreate(Landroid/os/Bundle;)V@0".to_owned(),
                    "Lcom/host/B;->b()V@3".to_owned(),
                    "Lcom/host/C;->sink()V".to_owned()
                ]
            )
        ]
    );
}

#[test]
fn a_hierarchy_that_loops_and_a_stop_request_are_bounded() {
    // A extends B extends A: what a hostile dex can claim.
    let index = index(vec![
        class("Lcom/host/App;", "Lcom/host/Loop;").method(
            "onCreate()V",
            vec![
                Op::Virtual("Lcom/host/Loop;->missing()V"),
                Op::Static("Lcom/host/Loop;->missing()V"),
            ],
        ),
        class("Lcom/host/Loop;", "Lcom/host/App;").implements("Lcom/host/Loop;"),
    ]);
    let analysis = analyze(
        &index,
        &config(vec![startup(
            "Lcom/host/App;",
            &["onCreate()V", "nothing()V"],
        )]),
        NEVER,
    );
    assert!(analysis.stats().reached >= 1);

    // A long chain, and a caller that says stop at once.
    let mut classes = Vec::new();
    let names: Vec<&'static str> = (0..3000)
        .map(|i| &*Box::leak(format!("Lcom/chain/C{i};").into_boxed_str()))
        .collect();
    let calls: Vec<&'static str> = (0..3000)
        .map(|i| &*Box::leak(format!("Lcom/chain/C{i};->m()V").into_boxed_str()))
        .collect();
    for i in 0..3000 {
        let ops = if i + 1 < 3000 {
            vec![Op::Static(calls[i + 1])]
        } else {
            vec![]
        };
        classes.push(class(names[i], "Ljava/lang/Object;").method("m()V", ops));
    }
    let index = self::index(classes);
    let analysis = analyze(
        &index,
        &config(vec![startup("Lcom/chain/C0;", &["m()V"])]),
        &|| true,
    );
    assert!(analysis.truncated());
    assert!(analysis.stats().reached < 3000);
}

#[test]
fn the_edge_bound_cuts_the_search_and_says_so() {
    let mut classes = Vec::new();
    let names: Vec<&'static str> = (0..50)
        .map(|i| &*Box::leak(format!("Lcom/wide/C{i};").into_boxed_str()))
        .collect();
    let calls: Vec<&'static str> = (0..50)
        .map(|i| &*Box::leak(format!("Lcom/wide/C{i};->m()V").into_boxed_str()))
        .collect();
    for name in &names {
        // Every method calls every other: 2,450 edges in all.
        let ops = calls.iter().map(|c| Op::Static(c)).collect();
        classes.push(class(name, "Ljava/lang/Object;").method("m()V", ops));
    }
    let index = index(classes);
    let mut config = config(vec![startup("Lcom/wide/C0;", &["m()V"])]);
    config.limits.max_edges = 100;
    let analysis = analyze(&index, &config, NEVER);
    assert!(analysis.truncated());
    assert!(analysis.stats().edges < 300, "{:?}", analysis.stats());
    let full = analyze(
        &index,
        &self::config(vec![startup("Lcom/wide/C0;", &["m()V"])]),
        NEVER,
    );
    assert!(!full.truncated());
    assert_eq!(full.stats().reached, 50);
}
