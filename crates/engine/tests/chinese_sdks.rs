//! Detection and attribution of Chinese SDKs on APKs built from the rule pack's own signatures.
//!
//! Real vendor binaries exist only for a few SDKs (JIGUANG, Umeng, Weixin, Alipay: see
//! `sdk_parity.rs`). For the others each fixture here embeds what the pack declares for the SDK
//! (a class under its class prefixes, its manifest components and intent actions, its native
//! libraries, one of its domains), so the tests hold the pack and the engine to each other
//! rather than to hard-coded names; a few hand-written tests pin real-world names too.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use apkscope_engine::{CompiledPack, ScanOptions, scan_bytes};
use apkscope_facts::{AppFacts, SdkFacts};
use apkscope_rules::{Pack, Sdk};
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec};
use apkscope_testkit::zip::ZipBuilder;

/// The host app's package: no SDK may be reported from it.
const HOST: &str = "com.example.host";
/// `android:name`.
const NAME: u32 = 0x0101_0003;
/// `invoke-virtual`.
const INVOKE_VIRTUAL: u8 = 0x6e;
/// Where the fixtures put native libraries.
const LIB_DIR: &str = "lib/arm64-v8a/";
const READ_PHONE_STATE: &str = "android.permission.READ_PHONE_STATE";
const ACCESS_FINE_LOCATION: &str = "android.permission.ACCESS_FINE_LOCATION";

/// The Chinese SDKs covered, none of them among the SDKs with real binaries in the corpus:
/// (pack id, category, a word of the vendor). Category and vendor are written here by hand so
/// that the pack's data is checked too, not only copied into the expectation.
const CASES: &[(&str, &str, &str)] = &[
    // Push, with the phone makers' channels.
    ("getui-push", "push", "Getui"),
    ("xiaomi-push", "push", "Xiaomi"),
    ("huawei-push", "push", "Huawei"),
    ("honor-push", "push", "Honor"),
    ("oppo-push", "push", "OPPO"),
    ("vivo-push", "push", "vivo"),
    ("meizu-push", "push", "Meizu"),
    ("tencent-tpns", "push", "Tencent"),
    ("baidu-push", "push", "Baidu"),
    // Analytics.
    ("baidu-mobstat", "analytics", "Baidu"),
    ("talkingdata", "analytics", "TalkingData"),
    ("growingio", "analytics", "GrowingIO"),
    ("sensorsdata", "analytics", "Sensors"),
    // Ads.
    ("pangle", "ads", "ByteDance"),
    ("gdt", "ads", "Tencent"),
    ("baidu-mobads", "ads", "Baidu"),
    ("kuaishou-ads", "ads", "Kuaishou"),
    // Maps and location.
    ("amap-map", "maps", "AutoNavi"),
    ("amap-location", "location", "AutoNavi"),
    ("baidu-map", "maps", "Baidu"),
    ("baidu-location", "location", "Baidu"),
    ("tencent-location", "location", "Tencent"),
    // Payment.
    ("unionpay", "payment", "UnionPay"),
    // Social.
    ("qq-connect", "social", "Tencent"),
    ("sina-weibo", "social", "Weibo"),
    ("sharesdk", "social", "MobTech"),
    // One-click login.
    ("shanyan", "login", "Chuanglan"),
    ("cmcc-auth", "login", "China Mobile"),
    // IM.
    ("netease-yunxin", "im", "NetEase"),
    ("rongcloud", "im", "RongCloud"),
    // Risk control.
    ("tongdun", "risk-control", "Tongdun"),
    ("shumei", "risk-control", "Shumei"),
    // OAID, crash reporting, webview, speech.
    ("msa-oaid", "oaid", "MSA"),
    ("bugly", "crash-reporting", "Tencent"),
    ("tencent-tbs", "webview", "Tencent"),
    ("iflytek", "speech", "iFLYTEK"),
];

/// SDKs with real vendor binaries in `../shared/corpus/sdk-apks`, tested by `sdk_parity.rs`.
const WITH_REAL_BINARIES: &[&str] = &[
    "jpush",
    "jcore",
    "janalytics",
    "jshare",
    "umeng",
    "wechat",
    "alipay",
];

fn sdk<'p>(pack: &'p CompiledPack, id: &str) -> &'p Sdk {
    pack.sdk_by_id(id)
        .and_then(|s| pack.sdk(s))
        .unwrap_or_else(|| panic!("the pack has no SDK {id:?}"))
}

// ---- sensitive calls ------------------------------------------------------------------------

/// A framework method a fixture class calls.
#[derive(Debug, Clone, Copy)]
struct Call {
    class: &'static str,
    name: &'static str,
    ret: &'static str,
    params: &'static [&'static str],
}

impl Call {
    fn signature(&self) -> String {
        format!(
            "{}->{}({}){}",
            self.class,
            self.name,
            self.params.concat(),
            self.ret
        )
    }

    fn insn(&self) -> Insn {
        let args: Vec<u8> = (0..=self.params.len())
            .map(|i| u8::try_from(i).unwrap())
            .collect();
        Insn::invoke(
            INVOKE_VIRTUAL,
            &args,
            MethodRef::new(self.class, self.name, self.ret, self.params),
        )
    }
}

const GET_DEVICE_ID: Call = Call {
    class: "Landroid/telephony/TelephonyManager;",
    name: "getDeviceId",
    ret: "Ljava/lang/String;",
    params: &[],
};
const GET_SUBSCRIBER_ID: Call = Call {
    class: "Landroid/telephony/TelephonyManager;",
    name: "getSubscriberId",
    ret: "Ljava/lang/String;",
    params: &[],
};
const GET_LAST_KNOWN_LOCATION: Call = Call {
    class: "Landroid/location/LocationManager;",
    name: "getLastKnownLocation",
    ret: "Landroid/location/Location;",
    params: &["Ljava/lang/String;"],
};
const GET_MAC_ADDRESS: Call = Call {
    class: "Landroid/net/wifi/WifiInfo;",
    name: "getMacAddress",
    ret: "Ljava/lang/String;",
    params: &[],
};
const GET_INSTALLED_PACKAGES: Call = Call {
    class: "Landroid/content/pm/PackageManager;",
    name: "getInstalledPackages",
    ret: "Ljava/util/List;",
    params: &["I"],
};

// ---- fixtures -------------------------------------------------------------------------------

/// One class of a fixture: its descriptor, the framework methods it calls, its strings.
#[derive(Debug, Clone)]
struct Class {
    descriptor: String,
    calls: Vec<Call>,
    strings: Vec<String>,
}

impl Class {
    fn new(descriptor: &str) -> Self {
        Self {
            descriptor: descriptor.to_owned(),
            calls: Vec::new(),
            strings: Vec::new(),
        }
    }

    fn calling(mut self, call: Call) -> Self {
        self.calls.push(call);
        self
    }

    fn spec(&self) -> ClassSpec {
        let mut insns = Vec::new();
        for s in &self.strings {
            insns.push(Insn::const_string(0, s));
        }
        insns.extend(self.calls.iter().map(Call::insn));
        insns.push(Insn::return_void());
        ClassSpec::new(&self.descriptor)
            .superclass(Some("Ljava/lang/Object;"))
            .virtual_method(MethodSpec::new("run", "V", &[]).code(4, 1, 4, insns))
    }
}

/// A manifest component and the intent-filter actions it declares.
#[derive(Debug, Clone)]
struct ComponentDecl {
    name: String,
    actions: Vec<String>,
}

/// Everything one built APK holds besides the host app itself (`HostApp`, `MainActivity`).
#[derive(Debug, Default)]
struct Fixture {
    classes: Vec<Class>,
    components: Vec<ComponentDecl>,
    libs: Vec<String>,
    permissions: Vec<&'static str>,
    /// Calls made by the host app's own `MainActivity`.
    host_calls: Vec<Call>,
}

/// The manifest element for a component, guessed from its name (the engine does not care).
fn component_kind(name: &str) -> &'static str {
    let simple = name.rsplit('.').next().unwrap_or(name);
    if simple.contains("Provider") {
        "provider"
    } else if simple.contains("Activity") {
        "activity"
    } else if simple.contains("Receiver") {
        "receiver"
    } else {
        "service"
    }
}

fn named(element: &str, name: &str) -> (String, Vec<Attr>) {
    (
        element.to_owned(),
        vec![Attr::android("name", NAME, AttrValue::str(name))],
    )
}

impl Fixture {
    fn manifest(&self) -> Vec<u8> {
        let mut b = AxmlBuilder::new().ns("android", ANDROID_NS).start(
            "manifest",
            vec![Attr::plain("package", AttrValue::str(HOST))],
        );
        for p in &self.permissions {
            let (element, attrs) = named("uses-permission", p);
            b = b.start(&element, attrs).end(&element);
        }
        b = b.start(
            "application",
            vec![Attr::android(
                "name",
                NAME,
                AttrValue::str(&format!("{HOST}.HostApp")),
            )],
        );
        let (element, attrs) = named("activity", ".MainActivity");
        b = b.start(&element, attrs).end(&element);
        for c in &self.components {
            let (element, attrs) = named(component_kind(&c.name), &c.name);
            b = b.start(&element, attrs);
            if !c.actions.is_empty() {
                b = b.start("intent-filter", vec![]);
                for a in &c.actions {
                    let (action, attrs) = named("action", a);
                    b = b.start(&action, attrs).end(&action);
                }
                b = b.end("intent-filter");
            }
            b = b.end(&element);
        }
        b.end("application")
            .end("manifest")
            .end_ns("android", ANDROID_NS)
            .build()
    }

    fn dex(&self) -> Vec<u8> {
        let host_dir = HOST.replace('.', "/");
        let main = Class {
            descriptor: format!("L{host_dir}/MainActivity;"),
            calls: self.host_calls.clone(),
            strings: Vec::new(),
        };
        let app = Class::new(&format!("L{host_dir}/HostApp;"));
        let mut b = DexBuilder::new().class(app.spec()).class(main.spec());
        for c in &self.classes {
            b = b.class(c.spec());
        }
        b.build()
    }

    fn apk(&self) -> Vec<u8> {
        let mut zip = ZipBuilder::new()
            .deflated("AndroidManifest.xml", self.manifest())
            .deflated("classes.dex", self.dex());
        for lib in &self.libs {
            zip = zip.stored(format!("{LIB_DIR}{lib}"), b"\x7fELF not really");
        }
        zip.build()
    }

    fn scan(&self) -> AppFacts {
        let mut options = ScanOptions::default();
        options.rules = Some(crate::default_pack());
        scan_bytes(&self.apk(), "chinese-sdks.apk", &options).unwrap()
    }
}

/// A class descriptor under a class prefix: the prefix itself when it names a class.
fn class_under(prefix: &str) -> String {
    let dotted = if prefix.ends_with('.') {
        format!("{prefix}ApkscopeFixture")
    } else {
        prefix.to_owned()
    };
    format!("L{};", dotted.replace('.', "/"))
}

/// A file name a native-library pattern matches (`libjcore*.so` → `libjcore300.so`).
fn lib_named(pattern: &str) -> String {
    pattern.replace('*', "300")
}

/// A host under a domain.
fn host_in(domain: &str) -> String {
    format!("api.{domain}")
}

/// The signatures of one SDK, as the pack declares them, that the pack gives back to it.
/// Whatever the pack declares for an SDK but resolves to another is a problem of the pack.
#[derive(Debug)]
struct Declared {
    class: String,
    components: Vec<String>,
    actions: Vec<String>,
    libs: Vec<String>,
    host: Option<String>,
}

fn declared(pack: &CompiledPack, sdk: &Sdk, problems: &mut Vec<String>) -> Declared {
    let id = pack.sdk_by_id(&sdk.id);
    let prefix = sdk
        .class_prefixes
        .first()
        .unwrap_or_else(|| panic!("{} declares no class prefix", sdk.id));
    let class = class_under(prefix);
    for p in &sdk.class_prefixes {
        if pack.sdk_for_class(&class_under(p)) != id {
            problems.push(format!(
                "{}: a class under its prefix {p:?} goes to {:?}",
                sdk.id,
                owner(pack, &class_under(p))
            ));
        }
    }
    let mut keep = |what: &str, name: &str, found: Option<apkscope_rules::SdkId>| {
        if found == id {
            true
        } else {
            let other = found.and_then(|s| pack.sdk(s)).map(|s| s.id.clone());
            problems.push(format!("{}: its {what} {name:?} goes to {other:?}", sdk.id));
            false
        }
    };
    let components = sdk
        .components
        .iter()
        .filter(|c| keep("component", c, pack.sdk_for_component(c)))
        .cloned()
        .collect();
    let actions = sdk
        .intent_actions
        .iter()
        .filter(|a| keep("intent action", a, pack.sdk_for_action(a)))
        .cloned()
        .collect();
    let libs = sdk
        .native_libs
        .iter()
        .map(|l| lib_named(l))
        .filter(|l| keep("native library", l, pack.sdk_for_native_lib(l)))
        .collect();
    // Several SDKs of one vendor share domains; only a domain the pack gives this SDK can
    // corroborate it.
    let host = sdk
        .domains
        .iter()
        .map(|d| host_in(d))
        .find(|h| pack.sdk_for_domain(h) == id);
    Declared {
        class,
        components,
        actions,
        libs,
        host,
    }
}

fn owner(pack: &CompiledPack, class: &str) -> Option<String> {
    pack.sdk_for_class(class)
        .and_then(|s| pack.sdk(s))
        .map(|s| s.id.clone())
}

/// Adds an SDK's declared signatures to a fixture; its class calls `calls`.
fn embed(fixture: &mut Fixture, d: &Declared, calls: &[Call]) {
    let mut class = Class::new(&d.class);
    class.calls.extend_from_slice(calls);
    class
        .strings
        .extend(d.host.iter().map(|h| format!("https://{h}/v1")));
    fixture.classes.push(class);
    let mut components: Vec<ComponentDecl> = d
        .components
        .iter()
        .map(|c| ComponentDecl {
            name: c.clone(),
            actions: Vec::new(),
        })
        .collect();
    match components.first_mut() {
        Some(first) => first.actions.clone_from(&d.actions),
        // The app's own receiver subscribes to the SDK's broadcasts.
        None if !d.actions.is_empty() => components.push(ComponentDecl {
            name: format!("{HOST}.SdkReceiver{}", fixture.components.len()),
            actions: d.actions.clone(),
        }),
        None => {}
    }
    fixture.components.extend(components);
    fixture.libs.extend(d.libs.iter().cloned());
}

/// Checks one detected SDK's identity and evidence against what its fixture embedded.
fn check_evidence(s: &SdkFacts, d: &Declared, category: &str, vendor: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let id = &s.id;
    if s.category != category {
        problems.push(format!(
            "{id}: category {:?}, want {category:?}",
            s.category
        ));
    }
    if !s.vendor.as_deref().is_some_and(|v| v.contains(vendor)) {
        problems.push(format!("{id}: vendor {:?}, want {vendor:?}", s.vendor));
    }
    let e = &s.evidence;
    // The examples are capped: the class is among them only when they are all there.
    let complete = usize::try_from(e.classes).unwrap() == e.class_examples.len();
    if complete && !e.class_examples.contains(&d.class) {
        problems.push(format!(
            "{id}: class {} not among {:?}",
            d.class, e.class_examples
        ));
    }
    let sorted = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    if sorted(&e.components) != sorted(&d.components) {
        problems.push(format!(
            "{id}: components {:?}, want {:?}",
            e.components, d.components
        ));
    }
    if sorted(&e.intent_actions) != sorted(&d.actions) {
        problems.push(format!(
            "{id}: intent actions {:?}, want {:?}",
            e.intent_actions, d.actions
        ));
    }
    let libs: BTreeSet<String> = d.libs.iter().map(|l| format!("{LIB_DIR}{l}")).collect();
    if sorted(&e.native_libs) != libs {
        problems.push(format!(
            "{id}: native libs {:?}, want {libs:?}",
            e.native_libs
        ));
    }
    let hosts: BTreeSet<String> = d.host.iter().cloned().collect();
    if sorted(&e.domains) != hosts {
        problems.push(format!("{id}: domains {:?}, want {hosts:?}", e.domains));
    }
    problems
}

fn pi_by<'f>(facts: &'f AppFacts, call: Call, by: &str) -> Option<&'f apkscope_facts::PiAccess> {
    let signature = call.signature();
    facts
        .pi_access
        .iter()
        .find(|a| a.signature == signature && a.by == by)
}

fn requested<'f>(facts: &'f AppFacts, name: &str) -> &'f apkscope_facts::RequestedPermission {
    facts
        .permissions
        .requested
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} not requested"))
}

// ---- tests ----------------------------------------------------------------------------------

#[test]
fn cases_cover_every_category_and_no_sdk_with_real_binaries() {
    let pack = crate::default_pack();
    assert!(CASES.len() >= 25, "{} SDKs", CASES.len());
    let ids: BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(ids.len(), CASES.len(), "an SDK is listed twice");
    for (id, category, _) in CASES {
        assert!(!WITH_REAL_BINARIES.contains(id), "{id} has real binaries");
        assert_eq!(sdk(&pack, id).category.as_str(), *category, "{id}");
    }
    let categories: BTreeSet<&str> = CASES.iter().map(|c| c.1).collect();
    for wanted in [
        "push",
        "analytics",
        "ads",
        "maps",
        "location",
        "payment",
        "social",
        "login",
        "im",
        "risk-control",
        "oaid",
        "crash-reporting",
        "webview",
        "speech",
    ] {
        assert!(categories.contains(wanted), "no {wanted} SDK covered");
    }
}

/// One APK per SDK, built from the SDK's declared signatures: the SDK and nothing else is
/// detected, with its vendor, category and evidence of every kind it declares, and the
/// sensitive call its class makes is attributed to it.
#[test]
fn each_sdk_is_detected_from_its_declared_signatures() {
    let pack = crate::default_pack();
    let mut problems = Vec::new();
    // How many fixtures carried each kind of evidence: none may be left untested.
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for &(id, category, vendor) in CASES {
        let d = declared(&pack, sdk(&pack, id), &mut problems);
        for (kind, present) in [
            ("components", !d.components.is_empty()),
            ("intent actions", !d.actions.is_empty()),
            ("native libs", !d.libs.is_empty()),
            ("domains", d.host.is_some()),
        ] {
            *kinds.entry(kind).or_default() += usize::from(present);
        }
        let mut fixture = Fixture {
            permissions: vec![READ_PHONE_STATE],
            ..Fixture::default()
        };
        embed(&mut fixture, &d, &[GET_DEVICE_ID]);
        let facts = fixture.scan();

        let detected: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
        if detected != [id] {
            problems.push(format!("{id}: fixture detects {detected:?}"));
        }
        let Some(s) = facts.sdks.iter().find(|s| s.id == id) else {
            continue;
        };
        problems.extend(check_evidence(s, &d, category, vendor));
        if s.evidence.classes != 1 {
            problems.push(format!("{id}: {} classes", s.evidence.classes));
        }

        // Attribution: the class's getDeviceId call is the SDK's, and so is the permission use.
        match pi_by(&facts, GET_DEVICE_ID, id) {
            Some(a) if a.sites == 1 && a.examples.first().is_some_and(|e| e.class == d.class) => {}
            other => problems.push(format!("{id}: getDeviceId access {other:?}")),
        }
        if facts.pi_access.iter().any(|a| a.by != id) {
            problems.push(format!("{id}: pi_access {:?}", facts.pi_access));
        }
        if !s.pi_types.contains(&"imei".to_owned()) || s.permissions != [READ_PHONE_STATE] {
            problems.push(format!(
                "{id}: pi_types {:?}, permissions {:?}",
                s.pi_types, s.permissions
            ));
        }
        let phone = requested(&facts, READ_PHONE_STATE);
        if phone.used != Some(true) || phone.used_by != [id] {
            problems.push(format!(
                "{id}: READ_PHONE_STATE used {:?} by {:?}",
                phone.used, phone.used_by
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    eprintln!(
        "chinese SDK fixtures: {} SDKs, evidence kinds {kinds:?}",
        CASES.len()
    );
    for (kind, n) in kinds {
        assert!(n >= 5, "only {n} SDKs declare {kind}");
    }
}

/// Sensitive calls placed inside six SDKs of the all-in-one APK: (class, call, expected `by`).
/// Longest prefix wins: `com.amap.api.location.` (Gaode location) nests under
/// `com.amap.api.` (Gaode maps); Bugly, X5 (TBS) and Tencent location are siblings under
/// `com.tencent.`.
const ATTRIBUTED: &[(&str, Call, &str)] = &[
    (
        "Lcom/amap/api/location/AMapLocationClient;",
        GET_LAST_KNOWN_LOCATION,
        "amap-location",
    ),
    (
        "Lcom/amap/api/maps/AMapUtils;",
        GET_LAST_KNOWN_LOCATION,
        "amap-map",
    ),
    (
        "Lcom/tencent/bugly/crashreport/CrashReport;",
        GET_DEVICE_ID,
        "bugly",
    ),
    (
        "Lcom/tencent/smtt/sdk/WebView;",
        GET_MAC_ADDRESS,
        "tencent-tbs",
    ),
    (
        "Lcom/igexin/push/core/ServiceManager;",
        GET_INSTALLED_PACKAGES,
        "getui-push",
    ),
    (
        "Lcom/tencent/map/geolocation/TencentLocationManager;",
        GET_LAST_KNOWN_LOCATION,
        "tencent-location",
    ),
];

/// The all-in-one fixture: every case's declared signatures, a class under each of its class
/// prefixes, the [`ATTRIBUTED`] calls, the host app reading the IMEI and an obfuscated class
/// reading the IMSI.
fn all_in_one(
    pack: &CompiledPack,
    problems: &mut Vec<String>,
) -> (Fixture, BTreeMap<&'static str, Declared>) {
    let mut fixture = Fixture {
        permissions: vec![READ_PHONE_STATE, ACCESS_FINE_LOCATION],
        host_calls: vec![GET_DEVICE_ID],
        ..Fixture::default()
    };
    let mut all: BTreeMap<&'static str, Declared> = BTreeMap::new();
    for &(id, _, _) in CASES {
        let d = declared(pack, sdk(pack, id), problems);
        embed(&mut fixture, &d, &[]);
        // A class under every other prefix of the SDK too.
        for p in sdk(pack, id).class_prefixes.iter().skip(1) {
            fixture.classes.push(Class::new(&class_under(p)));
        }
        all.insert(id, d);
    }
    for (class, call, _) in ATTRIBUTED {
        fixture.classes.push(Class::new(class).calling(*call));
    }
    fixture
        .classes
        .push(Class::new("La/b/c;").calling(GET_SUBSCRIBER_ID));
    (fixture, all)
}

/// Every SDK at once, plus the host app's own code and an obfuscated class: each SDK is
/// detected exactly once, nothing is reported from the host's package, and sensitive calls
/// go to the SDK with the longest matching prefix, to the app, or to nobody.
#[test]
fn all_sdks_in_one_apk() {
    let pack = crate::default_pack();
    let mut problems = Vec::new();
    let (fixture, all) = all_in_one(&pack, &mut problems);
    let facts = fixture.scan();

    // Each SDK exactly once, nothing more.
    let detected: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    let unique: BTreeSet<&str> = detected.iter().copied().collect();
    assert_eq!(unique.len(), detected.len(), "an SDK twice: {detected:?}");
    let expected: BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(unique, expected, "detected SDKs");
    let host_prefix = format!("L{}/", HOST.replace('.', "/"));
    for s in &facts.sdks {
        if s.evidence
            .class_examples
            .iter()
            .any(|c| c.starts_with(&host_prefix))
            || s.evidence.components.iter().any(|c| c.starts_with(HOST))
        {
            problems.push(format!(
                "{}: evidence from the host app {:?}",
                s.id, s.evidence
            ));
        }
    }
    // Identity and evidence by kind. The extra classes make the class examples a superset.
    for &(id, category, vendor) in CASES {
        let s = facts.sdks.iter().find(|s| s.id == id).unwrap();
        problems.extend(check_evidence(s, &all[id], category, vendor));
        let prefixes = sdk(&pack, id).class_prefixes.len();
        let nested = ATTRIBUTED.iter().filter(|a| a.2 == id).count();
        let classes = u64::try_from(prefixes + nested).unwrap();
        if s.evidence.classes != classes {
            problems.push(format!(
                "{id}: {} classes, want {classes}",
                s.evidence.classes
            ));
        }
    }

    // Attribution: longest prefix wins.
    for (class, call, by) in ATTRIBUTED {
        match pi_by(&facts, *call, by) {
            Some(a) if a.examples.iter().any(|e| e.class == *class) => {}
            other => problems.push(format!(
                "{class} calling {}: want by {by}, got {other:?}",
                call.name
            )),
        }
        let s = facts.sdks.iter().find(|s| s.id == *by).unwrap();
        if s.pi_types.is_empty() {
            problems.push(format!("{by}: no pi_types"));
        }
    }
    let host_main = format!("{host_prefix}MainActivity;");
    assert!(
        pi_by(&facts, GET_DEVICE_ID, "app").is_some_and(|a| a.examples[0].class == host_main),
        "{:#?}",
        facts.pi_access
    );
    assert!(
        pi_by(&facts, GET_SUBSCRIBER_ID, "unattributed")
            .is_some_and(|a| a.examples[0].class == "La/b/c;"),
        "{:#?}",
        facts.pi_access
    );
    let phone = requested(&facts, READ_PHONE_STATE);
    assert_eq!(phone.used, Some(true));
    assert_eq!(phone.used_by, ["app", "bugly", "unattributed"]);
    let location = requested(&facts, ACCESS_FINE_LOCATION);
    assert_eq!(
        location.used_by,
        ["amap-location", "amap-map", "tencent-location"]
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Getui by hand: its real package, service and action, and a Gaode location class reading
/// the last known location, next to the app's and an obfuscated class's phone reads.
#[test]
fn getui_and_amap_by_hand() {
    let pack = crate::default_pack();
    let getui = sdk(&pack, "getui-push");
    let amap = sdk(&pack, "amap-location");
    assert_eq!(getui.category.as_str(), "push");
    assert!(
        getui
            .components
            .iter()
            .any(|c| c == "com.igexin.sdk.PushService")
    );
    let fixture = Fixture {
        classes: vec![
            Class::new("Lcom/igexin/sdk/PushManager;"),
            Class::new("Lcom/amap/api/location/AMapLocationClient;")
                .calling(GET_LAST_KNOWN_LOCATION),
            Class::new("La/b/c;").calling(GET_SUBSCRIBER_ID),
        ],
        components: vec![
            ComponentDecl {
                name: "com.igexin.sdk.PushService".to_owned(),
                actions: vec!["com.igexin.sdk.action.service.message".to_owned()],
            },
            ComponentDecl {
                name: "com.amap.api.location.APSService".to_owned(),
                actions: Vec::new(),
            },
        ],
        libs: vec!["libgetuiext3.so".to_owned()],
        permissions: vec![READ_PHONE_STATE, ACCESS_FINE_LOCATION],
        host_calls: vec![GET_DEVICE_ID],
    };
    let facts = fixture.scan();
    let ids: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [amap.id.as_str(), getui.id.as_str()]);

    let g = &facts.sdks[1];
    assert!(g.vendor.as_deref().unwrap().contains("Getui"));
    assert_eq!(g.evidence.class_examples, ["Lcom/igexin/sdk/PushManager;"]);
    assert_eq!(g.evidence.components, ["com.igexin.sdk.PushService"]);
    assert_eq!(
        g.evidence.intent_actions,
        ["com.igexin.sdk.action.service.message"]
    );
    assert_eq!(g.evidence.native_libs, ["lib/arm64-v8a/libgetuiext3.so"]);
    assert!(g.pi_types.is_empty(), "{:?}", g.pi_types);

    let a = &facts.sdks[0];
    assert_eq!(a.category, "location");
    assert_eq!(a.evidence.components, ["com.amap.api.location.APSService"]);
    assert_eq!(a.pi_types, ["location"]);
    assert_eq!(a.permissions, [ACCESS_FINE_LOCATION]);

    let location = pi_by(&facts, GET_LAST_KNOWN_LOCATION, "amap-location").unwrap();
    assert_eq!(location.pi_type, "location");
    assert_eq!(
        location.examples[0].method,
        "Lcom/amap/api/location/AMapLocationClient;->run()V"
    );
    let app_read = pi_by(&facts, GET_DEVICE_ID, "app").unwrap();
    assert_eq!(app_read.api, "imei-get-device-id");
    let obfuscated_read = pi_by(&facts, GET_SUBSCRIBER_ID, "unattributed").unwrap();
    assert_eq!(obfuscated_read.api, "imsi-get-subscriber-id");
    assert_eq!(facts.pi_access.len(), 3, "{:#?}", facts.pi_access);

    let phone = requested(&facts, READ_PHONE_STATE);
    assert_eq!(phone.group.as_deref(), Some("phone"));
    assert_eq!(phone.used_by, ["app", "unattributed"]);
    let fine = requested(&facts, ACCESS_FINE_LOCATION);
    assert_eq!(fine.used_by, ["amap-location"]);
}

/// The phone makers' push channels by hand, with the names their integration guides give.
#[test]
fn vendor_push_channels_by_hand() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "xiaomi-push",
            "Lcom/xiaomi/mipush/sdk/MiPushClient;",
            "com.xiaomi.push.service.XMPushService",
            "com.xiaomi.mipush.RECEIVE_MESSAGE",
        ),
        (
            "huawei-push",
            "Lcom/huawei/hms/push/HmsMessaging;",
            "com.huawei.hms.support.api.push.service.HmsMsgService",
            "com.huawei.push.action.MESSAGING_EVENT",
        ),
        (
            "oppo-push",
            "Lcom/heytap/msp/push/HeytapPushManager;",
            "com.heytap.msp.push.service.DataMessageCallbackService",
            "com.heytap.mcs.action.RECEIVE_MCS_MESSAGE",
        ),
        (
            "vivo-push",
            "Lcom/vivo/push/PushClient;",
            "com.vivo.push.sdk.service.CommandClientService",
            "com.vivo.pushclient.action.RECEIVE",
        ),
        (
            "getui-push",
            "Lcom/igexin/sdk/PushManager;",
            "com.igexin.sdk.PushService",
            "com.igexin.sdk.action.refreshls",
        ),
    ];
    let fixture = Fixture {
        classes: cases.iter().map(|c| Class::new(c.1)).collect(),
        components: cases
            .iter()
            .map(|c| ComponentDecl {
                name: c.2.to_owned(),
                actions: vec![c.3.to_owned()],
            })
            .collect(),
        ..Fixture::default()
    };
    let facts = fixture.scan();
    let mut ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    ids.sort_unstable();
    let detected: Vec<&str> = facts.sdks.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(detected, ids);
    for (id, class, component, action) in cases {
        let s = facts.sdks.iter().find(|s| s.id == *id).unwrap();
        assert_eq!(s.category, "push", "{id}");
        assert_eq!(s.evidence.class_examples, [*class], "{id}");
        assert_eq!(s.evidence.components, [*component], "{id}");
        assert_eq!(s.evidence.intent_actions, [*action], "{id}");
    }
}

/// Native libraries alone identify SDKs whose Java code is obfuscated away, and a class of an
/// SDK's component alone names it too.
#[test]
fn native_libraries_and_components_alone() {
    let fixture = Fixture {
        libs: vec![
            "libtongdun.so".to_owned(),
            "libsmsdk.so".to_owned(),
            "libmsaoaidsec.so".to_owned(),
            "libmsc.so".to_owned(),
            "libBugly.so".to_owned(),
        ],
        components: vec![ComponentDecl {
            name: "com.tencent.smtt.sdk.VideoActivity".to_owned(),
            actions: Vec::new(),
        }],
        ..Fixture::default()
    };
    let facts = fixture.scan();
    let detected: BTreeMap<&str, &SdkFacts> =
        facts.sdks.iter().map(|s| (s.id.as_str(), s)).collect();
    let want: BTreeMap<&str, &str> = [
        ("tongdun", "libtongdun.so"),
        ("shumei", "libsmsdk.so"),
        ("msa-oaid", "libmsaoaidsec.so"),
        ("iflytek", "libmsc.so"),
        ("bugly", "libBugly.so"),
    ]
    .into_iter()
    .collect();
    for (id, lib) in &want {
        let s = detected
            .get(id)
            .unwrap_or_else(|| panic!("{id} not detected"));
        assert_eq!(s.evidence.native_libs, [format!("{LIB_DIR}{lib}")], "{id}");
        assert_eq!(s.evidence.classes, 0, "{id}");
    }
    let tbs = detected["tencent-tbs"];
    assert_eq!(tbs.category, "webview");
    assert_eq!(
        tbs.evidence.components,
        ["com.tencent.smtt.sdk.VideoActivity"]
    );
    assert_eq!(detected.len(), want.len() + 1, "{:?}", detected.keys());
}

/// An SDK's manifest component whose class no class prefix covers must not make its package
/// the app's own: code there is not the app's.
///
/// Regression: `Attribution::new` once skipped only the components `sdk_for_class` knows, so a
/// component listed by exact name turned its package into the app's.
#[test]
fn sdk_component_package_is_not_the_app() {
    let extra = r#"
[[sdk]]
id = "acme-push"
name = "Acme Push"
category = "push"
vendor = "Acme"
purpose = "Push notifications"
class_prefixes = ["com.acme.push."]
components = ["com.vendor.channel.MessageReceiver"]
references = ["https://push.acme.example/docs"]
"#;
    let mut sources: Vec<(String, String)> = apkscope_rules::default_sources()
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    sources.push(("acme.toml".to_owned(), extra.to_owned()));
    let compiled = Pack::from_sources(&sources).unwrap().compile().unwrap();
    let fixture = Fixture {
        classes: vec![Class::new("Lcom/vendor/channel/Tracker;").calling(GET_DEVICE_ID)],
        components: vec![ComponentDecl {
            name: "com.vendor.channel.MessageReceiver".to_owned(),
            actions: Vec::new(),
        }],
        permissions: vec![READ_PHONE_STATE],
        ..Fixture::default()
    };
    let mut options = ScanOptions::default();
    options.rules = Some(Arc::new(compiled));
    let facts = scan_bytes(&fixture.apk(), "acme.apk", &options).unwrap();
    assert!(facts.sdks.iter().any(|s| s.id == "acme-push"));
    assert!(
        pi_by(&facts, GET_DEVICE_ID, "unattributed").is_some(),
        "{:#?}",
        facts.pi_access
    );
}

/// Pack-wide: the class behind every manifest component an SDK declares is that SDK's code.
/// A component outside its SDK's class prefixes leaves the class unattributed, and the engine
/// then takes its package for the app's (see the test above).
#[test]
fn every_declared_component_is_a_class_of_its_sdk() {
    let pack = crate::default_pack();
    let mut problems = Vec::new();
    for s in pack.sdks() {
        for c in &s.components {
            let by_class = owner(&pack, c);
            let by_component = pack
                .sdk_for_component(c)
                .and_then(|id| pack.sdk(id))
                .map(|s| s.id.as_str());
            if by_class.as_deref() != Some(s.id.as_str()) || by_component != Some(s.id.as_str()) {
                problems.push(format!(
                    "{}: component {c}: class goes to {by_class:?}, component to {by_component:?}",
                    s.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
