//! Who owns a piece of code: an SDK of the rule pack, a platform or open-source library, the
//! app, or nobody known. Collection (network endpoints) and analysis (PI access, native
//! libraries) both ask it, so it sits between them and imports neither.
//!
//! The app's own code is only what the app itself names as its own: its manifest package, the
//! package of its `Application` class (unless that class belongs to an SDK or a packer), and
//! packages the caller declares (`--app-package`). Manifest components are not evidence: apps
//! declare SDK activities and services under the SDK's packages, so taking every component's
//! package blamed Facebook's and Firebase's collection on the app. For a class, the longest
//! prefix wins among the app's packages and the pack's SDK and library prefixes, so an app
//! whose package sits under a vendor's namespace (`cn.jiguang.demo`) keeps its own code.

use std::collections::{BTreeMap, BTreeSet};

use apkscope_facts::code::{CodeIndex, MethodId};
use apkscope_facts::{AppFacts, NativeLibFacts};
use apkscope_rules::{Category, ClassOwner, CompiledPack, LibraryId, LibraryKind, SdkId};

/// Who owns a piece of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Owner {
    Sdk(SdkId),
    Library(LibraryId),
    App,
    Unattributed,
}

/// `by` value for the app's own code.
pub(crate) const BY_APP: &str = "app";
/// `by` value for code neither an SDK, a library nor the app's packages own.
pub(crate) const BY_UNATTRIBUTED: &str = "unattributed";

/// Owner kinds, as reports and `pi-api-used` checks name them.
pub(crate) const KIND_SDK: &str = "sdk";
pub(crate) const KIND_APP: &str = "app";
pub(crate) const KIND_PLATFORM_LIBRARY: &str = "platform-library";
pub(crate) const KIND_OPEN_SOURCE_LIBRARY: &str = "open-source-library";
pub(crate) const KIND_UNATTRIBUTED: &str = "unattributed";

/// Decides who owns a class.
pub(crate) struct Attribution<'p> {
    pack: &'p CompiledPack,
    /// The app's packages as descriptor prefixes (`Lcom/example/app/`) with their length
    /// without the leading `L` (comparable with a pack prefix match).
    app_prefixes: BTreeMap<String, usize>,
    /// For libraries whose code belongs to the embedding SDK of a category: that SDK.
    embedding: BTreeMap<Category, SdkId>,
}

impl<'p> Attribution<'p> {
    /// The app's packages from `facts` (and `declared`, dotted package names), and the SDKs
    /// found in it (`present`, in id order), which own the libraries that name their category.
    pub(crate) fn new(
        facts: &AppFacts,
        pack: &'p CompiledPack,
        declared: &[String],
        present: &[SdkId],
    ) -> Self {
        let mut packages: BTreeSet<&str> = BTreeSet::new();
        if let Some(package) = &facts.app.package {
            packages.insert(package);
        }
        if let Some(class) = &facts.manifest.application.name {
            // An SDK's or a packer's Application class is not evidence of the app's package.
            let foreign = pack.class_owner(class).is_some()
                || pack.sdk_for_component(class).is_some()
                || pack.packer_for_application_class(class).is_some();
            if !foreign && let Some((package, _)) = class.rsplit_once('.') {
                packages.insert(package);
            }
        }
        packages.extend(declared.iter().map(String::as_str));
        let app_prefixes = packages
            .into_iter()
            .map(|p| p.trim_end_matches('.'))
            .filter(|p| p.contains('.'))
            .map(|p| {
                let slashed = p.replace('.', "/");
                let len = slashed.len() + 1;
                (format!("L{slashed}/"), len)
            })
            .collect();
        let mut embedding = BTreeMap::new();
        let mut present: Vec<SdkId> = present.to_vec();
        present.sort_by(|a, b| {
            let id = |s: &SdkId| pack.sdk(*s).map(|s| s.id.as_str());
            id(a).cmp(&id(b))
        });
        for id in present {
            if let Some(sdk) = pack.sdk(id) {
                embedding.entry(sdk.category).or_insert(id);
            }
        }
        Self {
            pack,
            app_prefixes,
            embedding,
        }
    }

    /// The owner of the class `descriptor` (`Lcom/a/B;`).
    pub(crate) fn owner(&self, descriptor: &str) -> Owner {
        let app = self.app_match(descriptor);
        let pack = self.pack.class_owner_match(descriptor);
        match (pack, app) {
            (Some((_, pack_len)), Some(app_len)) if app_len >= pack_len => Owner::App,
            (Some((ClassOwner::Sdk(id), _)), _) => Owner::Sdk(id),
            (Some((ClassOwner::Library(id), _)), _) => self.library_owner(id),
            (None, Some(_)) => Owner::App,
            (None, None) => Owner::Unattributed,
        }
    }

    /// A library's code, or the embedding SDK's when the library names a category and the app
    /// embeds an SDK of it.
    fn library_owner(&self, id: LibraryId) -> Owner {
        self.pack
            .library(id)
            .and_then(|l| l.owned_by_category)
            .and_then(|category| self.embedding.get(&category))
            .map_or(Owner::Library(id), |sdk| Owner::Sdk(*sdk))
    }

    /// The length of the longest app package prefix of `descriptor`, if any: every prefix of
    /// the descriptor that ends at a `/` is looked up, so a manifest naming many packages costs
    /// nothing more per class.
    fn app_match(&self, descriptor: &str) -> Option<usize> {
        descriptor
            .match_indices('/')
            .filter_map(|(at, _)| descriptor.get(..=at))
            .filter_map(|p| self.app_prefixes.get(p).copied())
            .max()
    }
}

/// The SDK a native library belongs to: by its file name, else by the Java classes its JNI
/// exports implement.
pub(crate) fn native_lib_owner(pack: &CompiledPack, lib: &NativeLibFacts) -> Option<SdkId> {
    let path = lib.path.as_str();
    let file = path.rsplit('/').next().unwrap_or(path);
    pack.sdk_for_native_lib(file).or_else(|| {
        lib.jni_methods.iter().find_map(|m| {
            let class = m.rsplit_once('.').map_or(m.as_str(), |(class, _)| class);
            pack.sdk_for_class(class)
        })
    })
}

/// The `by` value of an owner: an SDK or library id, `app` or `unattributed`.
pub(crate) fn owner_name(owner: Owner, pack: &CompiledPack) -> String {
    match owner {
        Owner::Sdk(id) => pack.sdk(id).map(|s| s.id.clone()).unwrap_or_default(),
        Owner::Library(id) => pack.library(id).map(|l| l.id.clone()).unwrap_or_default(),
        Owner::App => BY_APP.to_owned(),
        Owner::Unattributed => BY_UNATTRIBUTED.to_owned(),
    }
}

/// The kind of an owner: `sdk`, `app`, `platform-library`, `open-source-library` or
/// `unattributed`.
pub(crate) fn owner_kind(owner: Owner, pack: &CompiledPack) -> &'static str {
    match owner {
        Owner::Sdk(_) => KIND_SDK,
        Owner::Library(id) => match pack.library(id).map(|l| l.kind) {
            Some(LibraryKind::OpenSource) => KIND_OPEN_SOURCE_LIBRARY,
            _ => KIND_PLATFORM_LIBRARY,
        },
        Owner::App => KIND_APP,
        Owner::Unattributed => KIND_UNATTRIBUTED,
    }
}

pub(crate) fn class_of(index: &CodeIndex, method: MethodId) -> Option<&str> {
    let dex = index.dex_of(method.dex)?;
    let record = index.method_record(method)?;
    let class = dex.classes.get(usize::try_from(record.class).ok()?)?;
    dex.type_descriptor(class.type_idx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> CompiledPack {
        let rules = r#"
[[sdk]]
id = "jpush"
name = "JPush"
vendor = "Aurora"
category = "push"
purpose = "push"
class_prefixes = ["cn.jiguang.", "cn.jpush.android."]
references = ["r"]

[[sdk]]
id = "admob"
name = "AdMob"
vendor = "Google"
category = "ads"
purpose = "ads"
class_prefixes = ["com.google.android.gms.ads.internal."]
references = ["r"]

[[library]]
id = "androidx"
name = "AndroidX"
kind = "platform"
class_prefixes = ["androidx."]
references = ["r"]

[[library]]
id = "okhttp"
name = "OkHttp"
kind = "open-source"
class_prefixes = ["okhttp3."]
references = ["r"]

[[library]]
id = "ads-identifier"
name = "Advertising ID client"
kind = "platform"
class_prefixes = ["com.google.android.gms.ads.identifier."]
owned_by_category = "ads"
references = ["r"]
"#;
        apkscope_rules::Pack::from_sources(&[("t.toml", rules)])
            .unwrap()
            .compile()
            .unwrap()
    }

    fn facts(package: &str, application: Option<&str>) -> AppFacts {
        let mut facts = AppFacts::default();
        facts.app.package = Some(package.to_owned());
        facts.manifest.application.name = application.map(str::to_owned);
        facts.manifest.components.push(apkscope_facts::Component {
            kind: "activity".into(),
            name: "com.facebook.FacebookActivity".into(),
            ..apkscope_facts::Component::default()
        });
        facts
    }

    #[test]
    fn owners_follow_the_longest_prefix() {
        let pack = pack();
        let jpush = pack.sdk_by_id("jpush").unwrap();
        let admob = pack.sdk_by_id("admob").unwrap();
        let a = Attribution::new(
            &facts("cn.jiguang.demo", Some("com.example.App")),
            &pack,
            &["org.extra".to_owned()],
            &[jpush],
        );
        // The app's package under a vendor's namespace stays the app's.
        assert_eq!(a.owner("Lcn/jiguang/demo/Main;"), Owner::App);
        assert_eq!(a.owner("Lcn/jiguang/api/Core;"), Owner::Sdk(jpush));
        assert_eq!(
            a.owner("Lcom/example/App;"),
            Owner::App,
            "Application package"
        );
        assert_eq!(a.owner("Lorg/extra/X;"), Owner::App, "declared package");
        // A component's package is not the app's.
        assert_eq!(
            a.owner("Lcom/facebook/FacebookActivity;"),
            Owner::Unattributed
        );
        assert_eq!(
            owner_kind(a.owner("Landroidx/core/app/X;"), &pack),
            KIND_PLATFORM_LIBRARY
        );
        assert_eq!(
            owner_kind(a.owner("Lokhttp3/OkHttpClient;"), &pack),
            KIND_OPEN_SOURCE_LIBRARY
        );
        // Without an ads SDK, the advertising-ID client stays a library.
        assert!(matches!(
            a.owner("Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;"),
            Owner::Library(_)
        ));
        // With one, it is the ads SDK's.
        let b = Attribution::new(&facts("com.example", None), &pack, &[], &[admob, jpush]);
        assert_eq!(
            b.owner("Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;"),
            Owner::Sdk(admob)
        );
        assert_eq!(owner_name(Owner::Sdk(admob), &pack), "admob");
    }

    #[test]
    fn an_sdk_application_class_is_not_the_app() {
        let pack = pack();
        let a = Attribution::new(
            &facts("com.example", Some("cn.jpush.android.service.App")),
            &pack,
            &[],
            &[],
        );
        assert!(matches!(
            a.owner("Lcn/jpush/android/service/Other;"),
            Owner::Sdk(_)
        ));
        assert_eq!(a.owner("Lcom/example/Main;"), Owner::App);
    }
}
