//! The typed manifest, built from any [`Document`] (binary XML today, protobuf AAB later).
//!
//! Attribute lookup follows Android: `android:` attributes are found by framework resource ID
//! (see [`Element::android_attr`]), booleans and integers are coerced like `TypedArray`
//! (`true`/`1`/non-zero), class names are qualified like `PackageParser.buildClassName`, and
//! `exported` falls back to the platform's implicit rules.

use crate::arsc::ResourceTable;
use crate::value::Value;
use crate::xml::{Attribute, Document, Element};
use crate::{Anomaly, codes};
use serde::Serialize;

/// Android 12 (API 31): components with intent filters no longer default to exported.
const SDK_S: i32 = 31;
/// Android 4.2 (API 17): providers no longer default to exported.
const SDK_JELLY_BEAN_MR1: i32 = 17;
/// What `targetSdkVersion` a pre-release codename stands for (`Build.VERSION_CODES.CUR_DEVELOPMENT`).
const SDK_CUR_DEVELOPMENT: i32 = 10_000;

/// The typed manifest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Manifest {
    /// `package`.
    pub package: Option<String>,
    /// `android:versionCode` (the low 32 bits of the long version code).
    pub version_code: Option<i32>,
    /// `android:versionCodeMajor`.
    pub version_code_major: Option<i32>,
    /// `(versionCodeMajor << 32) | versionCode` as `PackageInfo.getLongVersionCode`.
    pub long_version_code: Option<i64>,
    /// `android:versionName` (resolved through resources when a reference).
    pub version_name: Option<String>,
    /// `android:sharedUserId`.
    pub shared_user_id: Option<String>,
    /// `<uses-sdk android:minSdkVersion>`.
    pub min_sdk_version: Option<i32>,
    /// `<uses-sdk android:targetSdkVersion>` (a codename counts as 10000).
    pub target_sdk_version: Option<i32>,
    /// `<uses-sdk android:maxSdkVersion>`.
    pub max_sdk_version: Option<i32>,
    /// Codename given instead of a number for min or target SDK.
    pub sdk_codename: Option<String>,
    /// `android:compileSdkVersion`.
    pub compile_sdk_version: Option<i32>,
    /// `android:compileSdkVersionCodename`.
    pub compile_sdk_version_codename: Option<String>,
    /// `platformBuildVersionCode`.
    pub platform_build_version_code: Option<String>,
    /// `platformBuildVersionName`.
    pub platform_build_version_name: Option<String>,
    /// `<uses-permission>`, `<uses-permission-sdk-23>` and `<uses-permission-sdk-m>`.
    pub uses_permissions: Vec<UsesPermission>,
    /// `<permission>` declarations.
    pub permissions: Vec<Permission>,
    /// `<permission-group>` declarations.
    pub permission_groups: Vec<PermissionGroup>,
    /// `<uses-feature>`.
    pub uses_features: Vec<UsesFeature>,
    /// `<queries>` (all of them merged).
    pub queries: Queries,
    /// `<application>` (the first one).
    pub application: Option<Application>,
    /// What was odd (codes in [`crate::codes`]).
    pub anomalies: Vec<Anomaly>,
}

/// Which element requested a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionElement {
    /// `<uses-permission>`.
    UsesPermission,
    /// `<uses-permission-sdk-23>`.
    UsesPermissionSdk23,
    /// `<uses-permission-sdk-m>` (old spelling of sdk-23).
    UsesPermissionSdkM,
}

/// A requested permission.
#[derive(Debug, Clone, Serialize)]
pub struct UsesPermission {
    /// `android:name`.
    pub name: String,
    /// `android:maxSdkVersion`.
    pub max_sdk_version: Option<i32>,
    /// The requesting element.
    pub element: PermissionElement,
    /// Byte offset of the element.
    pub offset: u64,
}

/// A declared permission.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    /// `android:name`.
    pub name: String,
    /// `android:protectionLevel` as stored.
    pub protection_level: Option<i32>,
    /// Decoded protection level, e.g. `signature|privileged` (`normal` when absent).
    pub protection_level_names: String,
    /// `android:permissionGroup`.
    pub permission_group: Option<String>,
}

/// A declared permission group.
#[derive(Debug, Clone, Serialize)]
pub struct PermissionGroup {
    /// `android:name`.
    pub name: String,
}

/// A `<uses-feature>`.
#[derive(Debug, Clone, Serialize)]
pub struct UsesFeature {
    /// `android:name` (absent for a pure `glEsVersion` feature).
    pub name: Option<String>,
    /// `android:required` (default true).
    pub required: bool,
    /// `android:glEsVersion` (`0x00020000` = 2.0).
    pub gl_es_version: Option<i32>,
}

/// `<queries>` content.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Queries {
    /// `<package android:name>`.
    pub packages: Vec<String>,
    /// `<intent>` entries.
    pub intents: Vec<IntentFilter>,
    /// `<provider android:authorities>` (split on `;`).
    pub providers: Vec<String>,
}

/// A `<uses-library>`.
#[derive(Debug, Clone, Serialize)]
pub struct UsesLibrary {
    /// `android:name`.
    pub name: String,
    /// `android:required` (default true).
    pub required: bool,
}

/// A `<meta-data>`.
#[derive(Debug, Clone, Serialize)]
pub struct MetaData {
    /// `android:name`.
    pub name: Option<String>,
    /// `android:value` rendered as text (references as `@0x…` or `@type/name`).
    pub value: Option<String>,
    /// `android:resource` rendered as `@type/name` or `@0x…`.
    pub resource: Option<String>,
}

/// `<application>`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Application {
    /// `android:name`, fully qualified.
    pub name: Option<String>,
    /// `android:label`: the text (resolved through resources when a reference), or the
    /// reference rendered `@0x…` when it cannot be resolved.
    pub label: Option<String>,
    /// The label's resource ID when it is a reference.
    pub label_resource: Option<u32>,
    /// `android:icon` rendered as `@type/name` or `@0x…`.
    pub icon: Option<String>,
    /// `android:debuggable`.
    pub debuggable: Option<bool>,
    /// `android:allowBackup`.
    pub allow_backup: Option<bool>,
    /// `android:fullBackupContent` (a boolean or an `@xml/…` resource), as text.
    pub full_backup_content: Option<String>,
    /// `android:dataExtractionRules` as `@xml/…`.
    pub data_extraction_rules: Option<String>,
    /// `android:usesCleartextTraffic`.
    pub uses_cleartext_traffic: Option<bool>,
    /// `android:networkSecurityConfig` as `@xml/…` (or `@0x…`).
    pub network_security_config: Option<String>,
    /// `android:testOnly`.
    pub test_only: Option<bool>,
    /// `android:extractNativeLibs`.
    pub extract_native_libs: Option<bool>,
    /// `android:requestLegacyExternalStorage`.
    pub request_legacy_external_storage: Option<bool>,
    /// `android:appComponentFactory`, fully qualified.
    pub app_component_factory: Option<String>,
    /// `android:backupAgent`, fully qualified.
    pub backup_agent: Option<String>,
    /// `android:process`.
    pub process: Option<String>,
    /// `android:taskAffinity`.
    pub task_affinity: Option<String>,
    /// `android:persistent`.
    pub persistent: Option<bool>,
    /// `<uses-library>`.
    pub uses_libraries: Vec<UsesLibrary>,
    /// Application-level `<meta-data>`.
    pub meta_data: Vec<MetaData>,
    /// Activities, aliases, services, receivers and providers in document order.
    pub components: Vec<Component>,
}

/// Component kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// `<activity>`.
    Activity,
    /// `<activity-alias>`.
    ActivityAlias,
    /// `<service>`.
    Service,
    /// `<receiver>`.
    Receiver,
    /// `<provider>`.
    Provider,
}

impl ComponentKind {
    fn from_tag(tag: &str) -> Option<Self> {
        Some(match tag {
            "activity" => Self::Activity,
            "activity-alias" => Self::ActivityAlias,
            "service" => Self::Service,
            "receiver" => Self::Receiver,
            "provider" => Self::Provider,
            _ => return None,
        })
    }
}

/// Where a component's `exported` value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportedSource {
    /// `android:exported` was given.
    Explicit,
    /// Implied by an intent filter (targetSdk < 31).
    IntentFilter,
    /// The platform default (false; true for providers when targetSdk ≤ 16).
    Default,
}

/// An app component.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Kind.
    pub kind: ComponentKind,
    /// `android:name`, fully qualified (empty when missing).
    pub name: String,
    /// `android:targetActivity` for aliases, fully qualified.
    pub target_activity: Option<String>,
    /// Effective exported value.
    pub exported: bool,
    /// Where `exported` came from.
    pub exported_source: ExportedSource,
    /// `android:enabled`.
    pub enabled: Option<bool>,
    /// `android:permission`.
    pub permission: Option<String>,
    /// `android:readPermission` (providers).
    pub read_permission: Option<String>,
    /// `android:writePermission` (providers).
    pub write_permission: Option<String>,
    /// `android:authorities` split on `;` (providers).
    pub authorities: Vec<String>,
    /// `android:grantUriPermissions` (providers).
    pub grant_uri_permissions: Option<bool>,
    /// `android:process`.
    pub process: Option<String>,
    /// `android:directBootAware`.
    pub direct_boot_aware: Option<bool>,
    /// `android:foregroundServiceType` flags as stored.
    pub foreground_service_type: Option<i32>,
    /// Decoded foreground service types, e.g. `location|dataSync`.
    pub foreground_service_type_names: Option<String>,
    /// Intent filters.
    pub intent_filters: Vec<IntentFilter>,
    /// `<meta-data>`.
    pub meta_data: Vec<MetaData>,
    /// Byte offset of the element.
    pub offset: u64,
}

/// An `<intent-filter>` (or a `<queries><intent>`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntentFilter {
    /// `<action android:name>`.
    pub actions: Vec<String>,
    /// `<category android:name>`.
    pub categories: Vec<String>,
    /// `<data>` elements.
    pub data: Vec<IntentData>,
    /// `android:priority`.
    pub priority: Option<i32>,
}

/// An intent filter's `<data>`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntentData {
    /// `android:scheme`.
    pub scheme: Option<String>,
    /// `android:host`.
    pub host: Option<String>,
    /// `android:port`.
    pub port: Option<String>,
    /// `android:path`.
    pub path: Option<String>,
    /// `android:pathPrefix`.
    pub path_prefix: Option<String>,
    /// `android:pathPattern`.
    pub path_pattern: Option<String>,
    /// `android:mimeType`.
    pub mime_type: Option<String>,
}

/// `PermissionInfo.PROTECTION_FLAG_*` names by bit.
const PROTECTION_FLAGS: &[(i32, &str)] = &[
    (0x10, "privileged"),
    (0x20, "development"),
    (0x40, "appop"),
    (0x80, "pre23"),
    (0x100, "installer"),
    (0x200, "verifier"),
    (0x400, "preinstalled"),
    (0x800, "setup"),
    (0x1000, "instant"),
    (0x2000, "runtime"),
    (0x4000, "oem"),
    (0x8000, "vendorPrivileged"),
    (0x1_0000, "textClassifier"),
    (0x2_0000, "wellbeing"),
    (0x4_0000, "documenter"),
    (0x8_0000, "configurator"),
    (0x10_0000, "incidentReportApprover"),
    (0x20_0000, "appPredictor"),
    (0x40_0000, "module"),
    (0x80_0000, "companion"),
    (0x100_0000, "retailDemo"),
    (0x200_0000, "recents"),
    (0x400_0000, "role"),
    (0x800_0000, "knownSigner"),
];

/// Decodes `android:protectionLevel` (`PermissionInfo.protectionToString`-style names).
pub fn protection_level_names(level: i32) -> String {
    let base = match level & 0xf {
        0 => "normal".to_owned(),
        1 => "dangerous".to_owned(),
        2 => "signature".to_owned(),
        3 => "signatureOrSystem".to_owned(),
        4 => "internal".to_owned(),
        b => format!("0x{b:x}"),
    };
    let mut out = vec![base];
    let mut rest = level & !0xf;
    for &(bit, name) in PROTECTION_FLAGS {
        if rest & bit != 0 {
            out.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push(format!("0x{rest:x}"));
    }
    out.join("|")
}

/// `ServiceInfo.FOREGROUND_SERVICE_TYPE_*` names by bit.
const FOREGROUND_TYPES: &[(i32, &str)] = &[
    (0x1, "dataSync"),
    (0x2, "mediaPlayback"),
    (0x4, "phoneCall"),
    (0x8, "location"),
    (0x10, "connectedDevice"),
    (0x20, "mediaProjection"),
    (0x40, "camera"),
    (0x80, "microphone"),
    (0x100, "health"),
    (0x200, "remoteMessaging"),
    (0x400, "systemExempted"),
    (0x800, "shortService"),
    (0x1000, "fileManagement"),
    (0x2000, "mediaProcessing"),
    (0x4000_0000, "specialUse"),
];

/// Decodes `android:foregroundServiceType` flags (`none` for 0).
pub fn foreground_service_type_names(flags: i32) -> String {
    if flags == 0 {
        return "none".to_owned();
    }
    let mut out = Vec::new();
    let mut rest = flags;
    for &(bit, name) in FOREGROUND_TYPES {
        if rest & bit != 0 {
            out.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push(format!("0x{rest:x}"));
    }
    out.join("|")
}

/// `PackageParser.buildClassName`: `.Foo` → `pkg.Foo`; `Foo` (no dot) → `pkg.Foo`.
pub fn qualify_class_name(package: Option<&str>, name: &str) -> String {
    match package {
        Some(p) if name.starts_with('.') => format!("{p}{name}"),
        Some(p) if !name.contains('.') && !name.is_empty() => format!("{p}.{name}"),
        _ => name.to_owned(),
    }
}

/// Reads attributes of one element with resources and anomalies at hand.
struct Cx<'r> {
    res: Option<&'r ResourceTable>,
    anomalies: Vec<Anomaly>,
}

impl Cx<'_> {
    /// Text of a value: strings as is, references resolved to their string when possible.
    fn text(&self, a: &Attribute) -> Option<String> {
        match &a.value {
            Value::String(s) => Some(s.clone()),
            Value::Reference(id) | Value::DynamicReference(id) => self
                .res
                .and_then(|r| r.resolve_string(*id))
                .or_else(|| Some(a.value.to_string())),
            Value::Null => a.raw_value.clone(),
            v => Some(a.raw_value.clone().unwrap_or_else(|| v.to_string())),
        }
    }

    /// A string attribute (`TypedArray.getString`-like).
    fn string(&self, el: &Element, name: &str) -> Option<String> {
        el.android_attr(name).and_then(|a| self.text(a))
    }

    /// A resource-valued attribute rendered `@type/name` when the table knows it.
    fn resource(&self, el: &Element, name: &str) -> Option<String> {
        let a = el.android_attr(name)?;
        Some(
            self.render_ref(&a.value)
                .unwrap_or_else(|| self.text(a).unwrap_or_default()),
        )
    }

    fn render_ref(&self, v: &Value) -> Option<String> {
        let id = v.as_reference()?;
        Some(
            self.res
                .and_then(|r| r.name(id))
                .unwrap_or_else(|| v.to_string()),
        )
    }

    fn value_of(&self, a: &Attribute) -> Value {
        // A reference to an integer/boolean resource is followed once, as TypedArray does.
        if let (Some(id), Some(res)) = (a.value.as_reference(), self.res)
            && let Some(v) = res.value(id)
        {
            return v;
        }
        a.value.clone()
    }

    fn int(&mut self, el: &Element, name: &str) -> Option<i32> {
        let a = el.android_attr(name)?;
        let v = self.value_of(a);
        let r = v.as_int();
        if r.is_none() && !matches!(v, Value::Null | Value::Empty) {
            self.bad(a, name, "integer");
        }
        r
    }

    fn bool(&mut self, el: &Element, name: &str) -> Option<bool> {
        let a = el.android_attr(name)?;
        let v = self.value_of(a);
        let r = v.as_bool();
        if r.is_none() && !matches!(v, Value::Null | Value::Empty) {
            self.bad(a, name, "boolean");
        }
        r
    }

    fn bad(&mut self, a: &Attribute, name: &str, want: &str) {
        self.anomalies.push(Anomaly::new(
            codes::BAD_ATTRIBUTE_VALUE,
            Some(a.offset),
            format!("android:{name} = {} is not a {want}", a.value),
        ));
    }

    /// An SDK version: integer, or a codename (counted as in-development).
    fn sdk(&mut self, el: &Element, name: &str, codename: &mut Option<String>) -> Option<i32> {
        let a = el.android_attr(name)?;
        let v = self.value_of(a);
        if let Value::String(s) = &v {
            if let Ok(n) = s.trim().parse::<i32>() {
                return Some(n);
            }
            if !s.is_empty() {
                *codename = Some(s.clone());
                return Some(SDK_CUR_DEVELOPMENT);
            }
        }
        self.int(el, name)
    }
}

impl Manifest {
    /// Builds the manifest from `doc`; `resources` resolves labels and resource names.
    /// Infallible: whatever cannot be read is left `None` and reported in `anomalies`.
    #[allow(clippy::too_many_lines)] // one pass over the manifest's top-level elements
    pub fn from_document(doc: &Document, resources: Option<&ResourceTable>) -> Manifest {
        let mut m = Manifest::default();
        let mut cx = Cx {
            res: resources,
            anomalies: Vec::new(),
        };
        let Some(root) = &doc.root else {
            m.anomalies.push(Anomaly::new(
                codes::ROOT_NOT_MANIFEST,
                None,
                "document has no root",
            ));
            return m;
        };
        if root.name != "manifest" {
            cx.anomalies.push(Anomaly::new(
                codes::ROOT_NOT_MANIFEST,
                Some(root.offset),
                format!("root element is <{}>", root.name),
            ));
        }
        m.package = root.attr("package").and_then(|a| {
            a.raw_value.clone().or_else(|| match &a.value {
                Value::Null => None,
                v => Some(v.to_string()),
            })
        });
        if m.package.is_none() {
            cx.anomalies.push(Anomaly::new(
                codes::MISSING_PACKAGE,
                Some(root.offset),
                "<manifest> has no package attribute",
            ));
        }
        m.version_code = cx.int(root, "versionCode");
        m.version_code_major = cx.int(root, "versionCodeMajor");
        if m.version_code.is_some() || m.version_code_major.is_some() {
            let major = i64::from(m.version_code_major.unwrap_or(0));
            let minor = i64::from(m.version_code.unwrap_or(0).cast_unsigned());
            m.long_version_code = Some((major << 32) | minor);
        }
        m.version_name = cx.string(root, "versionName");
        m.shared_user_id = cx.string(root, "sharedUserId");
        m.compile_sdk_version = cx.int(root, "compileSdkVersion");
        m.compile_sdk_version_codename = cx.string(root, "compileSdkVersionCodename");
        let plain = |n: &str| {
            root.attr(n)
                .map(|a| a.raw_value.clone().unwrap_or_else(|| a.value.to_string()))
        };
        m.platform_build_version_code = plain("platformBuildVersionCode");
        m.platform_build_version_name = plain("platformBuildVersionName");

        let mut codename = None;
        let mut app_seen = false;
        let mut app_el = None;
        for el in root.elements() {
            match el.name.as_str() {
                "uses-sdk" => {
                    // Later <uses-sdk> elements override earlier ones, as in PackageParser.
                    if let Some(v) = cx.sdk(el, "minSdkVersion", &mut codename) {
                        m.min_sdk_version = Some(v);
                    }
                    if let Some(v) = cx.sdk(el, "targetSdkVersion", &mut codename) {
                        m.target_sdk_version = Some(v);
                    }
                    if let Some(v) = cx.int(el, "maxSdkVersion") {
                        m.max_sdk_version = Some(v);
                    }
                }
                "uses-permission" | "uses-permission-sdk-23" | "uses-permission-sdk-m" => {
                    let element = match el.name.as_str() {
                        "uses-permission" => PermissionElement::UsesPermission,
                        "uses-permission-sdk-23" => PermissionElement::UsesPermissionSdk23,
                        _ => PermissionElement::UsesPermissionSdkM,
                    };
                    if let Some(name) = cx.string(el, "name") {
                        let max_sdk_version = cx.int(el, "maxSdkVersion");
                        m.uses_permissions.push(UsesPermission {
                            name,
                            max_sdk_version,
                            element,
                            offset: el.offset,
                        });
                    }
                }
                "permission" => {
                    if let Some(name) = cx.string(el, "name") {
                        let protection_level = cx.int(el, "protectionLevel");
                        m.permissions.push(Permission {
                            name,
                            protection_level,
                            protection_level_names: protection_level_names(
                                protection_level.unwrap_or(0),
                            ),
                            permission_group: cx.string(el, "permissionGroup"),
                        });
                    }
                }
                "permission-group" => {
                    if let Some(name) = cx.string(el, "name") {
                        m.permission_groups.push(PermissionGroup { name });
                    }
                }
                "uses-feature" => m.uses_features.push(UsesFeature {
                    name: cx.string(el, "name"),
                    required: cx.bool(el, "required").unwrap_or(true),
                    gl_es_version: cx.int(el, "glEsVersion"),
                }),
                "queries" => read_queries(&mut cx, el, &mut m.queries),
                "application" => {
                    if app_seen {
                        cx.anomalies.push(Anomaly::new(
                            codes::DUPLICATE_APPLICATION,
                            Some(el.offset),
                            "second <application> ignored",
                        ));
                    } else {
                        app_seen = true;
                        app_el = Some(el);
                    }
                }
                _ => {}
            }
        }
        m.sdk_codename = codename;
        // targetSdk defaults to minSdk, which defaults to 1.
        let target = m.target_sdk_version.or(m.min_sdk_version).unwrap_or(1);
        if let Some(el) = app_el {
            m.application = Some(read_application(&mut cx, el, m.package.as_deref(), target));
        }
        m.anomalies = cx.anomalies;
        m
    }
}

fn read_queries(cx: &mut Cx<'_>, el: &Element, q: &mut Queries) {
    for c in el.elements() {
        match c.name.as_str() {
            "package" => q.packages.extend(cx.string(c, "name")),
            "intent" => q.intents.push(read_intent_filter(cx, c)),
            "provider" => q
                .providers
                .extend(split_authorities(cx.string(c, "authorities"))),
            _ => {}
        }
    }
}

fn split_authorities(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

fn read_intent_filter(cx: &mut Cx<'_>, el: &Element) -> IntentFilter {
    let mut f = IntentFilter {
        priority: cx.int(el, "priority"),
        ..IntentFilter::default()
    };
    for c in el.elements() {
        match c.name.as_str() {
            "action" => f.actions.extend(cx.string(c, "name")),
            "category" => f.categories.extend(cx.string(c, "name")),
            "data" => f.data.push(IntentData {
                scheme: cx.string(c, "scheme"),
                host: cx.string(c, "host"),
                port: cx.string(c, "port"),
                path: cx.string(c, "path"),
                path_prefix: cx.string(c, "pathPrefix"),
                path_pattern: cx.string(c, "pathPattern"),
                mime_type: cx.string(c, "mimeType"),
            }),
            _ => {}
        }
    }
    f
}

fn read_meta_data(cx: &Cx<'_>, el: &Element) -> MetaData {
    let value = el
        .android_attr("value")
        .map(|a| match a.value.as_reference() {
            Some(_) => cx.render_ref(&a.value).unwrap_or_default(),
            None => cx.text(a).unwrap_or_default(),
        });
    MetaData {
        name: cx.string(el, "name"),
        value,
        resource: cx.resource(el, "resource"),
    }
}

fn read_application(cx: &mut Cx<'_>, el: &Element, pkg: Option<&str>, target: i32) -> Application {
    let class = |cx: &Cx<'_>, n: &str| cx.string(el, n).map(|s| qualify_class_name(pkg, &s));
    let label_attr = el.android_attr("label");
    let mut app = Application {
        name: class(cx, "name"),
        label: label_attr.and_then(|a| cx.text(a)),
        label_resource: label_attr.and_then(|a| a.value.as_reference()),
        icon: cx.resource(el, "icon"),
        debuggable: cx.bool(el, "debuggable"),
        allow_backup: cx.bool(el, "allowBackup"),
        full_backup_content: el
            .android_attr("fullBackupContent")
            .map(|a| match &a.value {
                Value::Bool(b) => b.to_string(),
                v => cx
                    .render_ref(v)
                    .unwrap_or_else(|| cx.text(a).unwrap_or_default()),
            }),
        data_extraction_rules: cx.resource(el, "dataExtractionRules"),
        uses_cleartext_traffic: cx.bool(el, "usesCleartextTraffic"),
        network_security_config: cx.resource(el, "networkSecurityConfig"),
        test_only: cx.bool(el, "testOnly"),
        extract_native_libs: cx.bool(el, "extractNativeLibs"),
        request_legacy_external_storage: cx.bool(el, "requestLegacyExternalStorage"),
        app_component_factory: class(cx, "appComponentFactory"),
        backup_agent: class(cx, "backupAgent"),
        process: cx.string(el, "process"),
        task_affinity: cx.string(el, "taskAffinity"),
        persistent: cx.bool(el, "persistent"),
        ..Application::default()
    };
    for c in el.elements() {
        match c.name.as_str() {
            "meta-data" => app.meta_data.push(read_meta_data(cx, c)),
            "uses-library" => {
                if let Some(name) = cx.string(c, "name") {
                    let required = cx.bool(c, "required").unwrap_or(true);
                    app.uses_libraries.push(UsesLibrary { name, required });
                }
            }
            tag => {
                if let Some(kind) = ComponentKind::from_tag(tag) {
                    app.components
                        .push(read_component(cx, c, kind, pkg, target));
                }
            }
        }
    }
    app
}

fn read_component(
    cx: &mut Cx<'_>,
    el: &Element,
    kind: ComponentKind,
    pkg: Option<&str>,
    target: i32,
) -> Component {
    let name = if let Some(n) = cx.string(el, "name") {
        qualify_class_name(pkg, &n)
    } else {
        cx.anomalies.push(Anomaly::new(
            codes::COMPONENT_WITHOUT_NAME,
            Some(el.offset),
            format!("<{}> without android:name", el.name),
        ));
        String::new()
    };
    let intent_filters: Vec<IntentFilter> = el
        .elements_named("intent-filter")
        .map(|f| read_intent_filter(cx, f))
        .collect();
    let (exported, exported_source) = match cx.bool(el, "exported") {
        Some(b) => (b, ExportedSource::Explicit),
        None if kind == ComponentKind::Provider => {
            (target < SDK_JELLY_BEAN_MR1, ExportedSource::Default)
        }
        None if !intent_filters.is_empty() && target < SDK_S => {
            (true, ExportedSource::IntentFilter)
        }
        None => (false, ExportedSource::Default),
    };
    let foreground_service_type = cx.int(el, "foregroundServiceType");
    Component {
        kind,
        target_activity: cx
            .string(el, "targetActivity")
            .map(|s| qualify_class_name(pkg, &s)),
        name,
        exported,
        exported_source,
        enabled: cx.bool(el, "enabled"),
        permission: cx.string(el, "permission"),
        read_permission: cx.string(el, "readPermission"),
        write_permission: cx.string(el, "writePermission"),
        authorities: split_authorities(cx.string(el, "authorities")),
        grant_uri_permissions: cx.bool(el, "grantUriPermissions"),
        process: cx.string(el, "process"),
        direct_boot_aware: cx.bool(el, "directBootAware"),
        foreground_service_type,
        foreground_service_type_names: foreground_service_type.map(foreground_service_type_names),
        intent_filters,
        meta_data: el
            .elements_named("meta-data")
            .map(|m| read_meta_data(cx, m))
            .collect(),
        offset: el.offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(qualify_class_name(Some("a.b"), ".Foo"), "a.b.Foo");
        assert_eq!(qualify_class_name(Some("a.b"), "Foo"), "a.b.Foo");
        assert_eq!(qualify_class_name(Some("a.b"), "x.Foo"), "x.Foo");
        assert_eq!(protection_level_names(0x12), "signature|privileged");
        assert_eq!(protection_level_names(1), "dangerous");
        assert_eq!(foreground_service_type_names(0x9), "dataSync|location");
    }
}
