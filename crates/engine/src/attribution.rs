//! Who owns a piece of code: an SDK of the rule pack, the app, or nobody known. Collection
//! (network endpoints) and analysis (PI access, native libraries) both ask it, so it sits
//! between them and imports neither.

use std::collections::{BTreeSet, HashSet};

use apkscope_facts::code::{CodeIndex, MethodId};
use apkscope_facts::{AppFacts, NativeLibFacts};
use apkscope_rules::{CompiledPack, SdkId};

/// Who owns a piece of code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Owner {
    Sdk(SdkId),
    App,
    Unattributed,
}

/// `by` value for the app's own code.
pub(crate) const BY_APP: &str = "app";
/// `by` value for code neither an SDK nor the app's packages own.
pub(crate) const BY_UNATTRIBUTED: &str = "unattributed";

/// Decides who owns a class: the SDK with the longest matching prefix, else the app when the
/// class is under one of the app's own packages, else nobody known.
pub(crate) struct Attribution<'p> {
    pack: &'p CompiledPack,
    /// Descriptor prefixes of the app's own packages (`Lcom/example/app/`), looked up by each
    /// package prefix of a class (so a manifest naming 100,000 packages costs nothing more per
    /// class than one naming a few).
    app_prefixes: HashSet<String>,
}

impl<'p> Attribution<'p> {
    pub(crate) fn new(facts: &AppFacts, pack: &'p CompiledPack) -> Self {
        let mut packages = BTreeSet::new();
        if let Some(package) = &facts.app.package {
            packages.insert(package.clone());
        }
        // The application class and the app's components name its code packages, which can
        // differ from the manifest package (build flavours, renamed applicationId).
        let app_class = facts.manifest.application.name.iter();
        let components = facts.manifest.components.iter().map(|c| &c.name);
        for class in app_class.chain(components) {
            // A component the pack knows (by prefix or by exact name) is SDK code: its package
            // must not become the app's.
            if pack.sdk_for_component(class).is_some() {
                continue;
            }
            if let Some((package, _)) = class.rsplit_once('.') {
                packages.insert(package.to_owned());
            }
        }
        let app_prefixes = packages
            .into_iter()
            .filter(|p| p.contains('.'))
            .map(|p| format!("L{}/", p.replace('.', "/")))
            .collect();
        Self { pack, app_prefixes }
    }

    pub(crate) fn owner(&self, descriptor: &str) -> Owner {
        if let Some(id) = self.pack.sdk_for_class(descriptor) {
            Owner::Sdk(id)
        } else if self.is_app_class(descriptor) {
            Owner::App
        } else {
            Owner::Unattributed
        }
    }

    /// Whether the class is under one of the app's packages: every prefix of its descriptor
    /// that ends at a `/` is looked up.
    fn is_app_class(&self, descriptor: &str) -> bool {
        descriptor.match_indices('/').any(|(at, _)| {
            descriptor
                .get(..=at)
                .is_some_and(|p| self.app_prefixes.contains(p))
        })
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

pub(crate) fn owner_name(owner: Owner, pack: &CompiledPack) -> String {
    match owner {
        Owner::Sdk(id) => pack.sdk(id).map(|s| s.id.clone()).unwrap_or_default(),
        Owner::App => BY_APP.to_owned(),
        Owner::Unattributed => BY_UNATTRIBUTED.to_owned(),
    }
}

pub(crate) fn class_of(index: &CodeIndex, method: MethodId) -> Option<&str> {
    let dex = index.dex_of(method.dex)?;
    let record = index.method_record(method)?;
    let class = dex.classes.get(usize::try_from(record.class).ok()?)?;
    dex.type_descriptor(class.type_idx)
}
