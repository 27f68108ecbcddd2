//! Android framework attribute resource IDs (`android:attr/*` in AOSP
//! `frameworks/base/core/res/res/values/public.xml`) used by manifests.
//!
//! Android identifies manifest attributes by these IDs (through the binary XML resource map),
//! not by their name strings; [`name_of`] recovers the real name of an attribute whose name
//! string was blanked or faked.

/// `(resource id, attribute name)`, sorted by id.
pub const ANDROID_ATTRS: &[(u32, &str)] = &[
    (0x0101_0000, "theme"),
    (0x0101_0001, "label"),
    (0x0101_0002, "icon"),
    (0x0101_0003, "name"),
    (0x0101_0004, "manageSpaceActivity"),
    (0x0101_0005, "allowClearUserData"),
    (0x0101_0006, "permission"),
    (0x0101_0007, "readPermission"),
    (0x0101_0008, "writePermission"),
    (0x0101_0009, "protectionLevel"),
    (0x0101_000a, "permissionGroup"),
    (0x0101_000b, "sharedUserId"),
    (0x0101_000c, "hasCode"),
    (0x0101_000d, "persistent"),
    (0x0101_000e, "enabled"),
    (0x0101_000f, "debuggable"),
    (0x0101_0010, "exported"),
    (0x0101_0011, "process"),
    (0x0101_0012, "taskAffinity"),
    (0x0101_0013, "multiprocess"),
    (0x0101_0014, "finishOnTaskLaunch"),
    (0x0101_0015, "clearTaskOnLaunch"),
    (0x0101_0016, "stateNotNeeded"),
    (0x0101_0017, "excludeFromRecents"),
    (0x0101_0018, "authorities"),
    (0x0101_0019, "syncable"),
    (0x0101_001a, "initOrder"),
    (0x0101_001b, "grantUriPermissions"),
    (0x0101_001c, "priority"),
    (0x0101_001d, "launchMode"),
    (0x0101_001e, "screenOrientation"),
    (0x0101_001f, "configChanges"),
    (0x0101_0020, "description"),
    (0x0101_0021, "targetPackage"),
    (0x0101_0022, "handleProfiling"),
    (0x0101_0023, "functionalTest"),
    (0x0101_0024, "value"),
    (0x0101_0025, "resource"),
    (0x0101_0026, "mimeType"),
    (0x0101_0027, "scheme"),
    (0x0101_0028, "host"),
    (0x0101_0029, "port"),
    (0x0101_002a, "path"),
    (0x0101_002b, "pathPrefix"),
    (0x0101_002c, "pathPattern"),
    (0x0101_002d, "action"),
    (0x0101_002e, "data"),
    (0x0101_002f, "targetClass"),
    (0x0101_0202, "targetActivity"),
    (0x0101_0203, "alwaysRetainTaskState"),
    (0x0101_0204, "allowTaskReparenting"),
    (0x0101_020c, "minSdkVersion"),
    (0x0101_021b, "versionCode"),
    (0x0101_021c, "versionName"),
    (0x0101_022b, "windowSoftInputMode"),
    (0x0101_022d, "noHistory"),
    (0x0101_0261, "sharedUserLabel"),
    (0x0101_0270, "targetSdkVersion"),
    (0x0101_0271, "maxSdkVersion"),
    (0x0101_0272, "testOnly"),
    (0x0101_027f, "backupAgent"),
    (0x0101_0280, "allowBackup"),
    (0x0101_0281, "glEsVersion"),
    (0x0101_0284, "smallScreens"),
    (0x0101_0285, "normalScreens"),
    (0x0101_0286, "largeScreens"),
    (0x0101_028e, "required"),
    (0x0101_02b7, "installLocation"),
    (0x0101_02b8, "vmSafeMode"),
    (0x0101_02bf, "xlargeScreens"),
    (0x0101_02d3, "hardwareAccelerated"),
    (0x0101_035a, "largeHeap"),
    (0x0101_03a7, "parentActivityName"),
    (0x0101_03a9, "isolatedProcess"),
    (0x0101_03af, "supportsRtl"),
    (0x0101_04ea, "extractNativeLibs"),
    (0x0101_04eb, "fullBackupContent"),
    (0x0101_04ec, "usesCleartextTraffic"),
    (0x0101_0505, "directBootAware"),
    (0x0101_0527, "networkSecurityConfig"),
    (0x0101_052c, "roundIcon"),
    (0x0101_054c, "targetSandboxVersion"),
    (0x0101_0572, "compileSdkVersion"),
    (0x0101_0573, "compileSdkVersionCodename"),
    (0x0101_0576, "versionCodeMajor"),
    (0x0101_057a, "appComponentFactory"),
    (0x0101_0599, "foregroundServiceType"),
    (0x0101_0603, "requestLegacyExternalStorage"),
    (0x0101_063e, "dataExtractionRules"),
];

/// The attribute name for a framework attribute resource ID.
pub fn name_of(id: u32) -> Option<&'static str> {
    ANDROID_ATTRS
        .binary_search_by_key(&id, |&(i, _)| i)
        .ok()
        .and_then(|i| ANDROID_ATTRS.get(i))
        .map(|&(_, n)| n)
}

/// The framework attribute resource ID for an attribute name.
pub fn id_of(name: &str) -> Option<u32> {
    ANDROID_ATTRS
        .iter()
        .find(|&&(_, n)| n == name)
        .map(|&(i, _)| i)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_sorted_and_unique() {
        assert!(super::ANDROID_ATTRS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(super::name_of(0x0101_021c), Some("versionName"));
        assert_eq!(super::id_of("exported"), Some(0x0101_0010));
    }
}
