//! One test per diagnostic code: a small pack that triggers it (and a valid base that does not).

use apkscope_rules::{Error, Level, Pack, codes};

/// A valid pack every case extends.
const BASE: &str = r#"
[[permission]]
name = "android.permission.READ_PHONE_STATE"
protection_level = "dangerous"
added_in = 1
group = "phone"
pi_types = ["imei"]
references = ["android:Manifest.permission#READ_PHONE_STATE"]

[[sdk]]
id = "base-sdk"
name = "Base"
category = "push"
purpose = "Push"
class_prefixes = ["com.base.sdk."]
references = ["r"]
vendor = "Base Inc."

[[api]]
id = "imei-get-device-id"
pi_type = "imei"
kind = "method"
signature = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
permissions = [{ name = "android.permission.READ_PHONE_STATE", max_sdk = 28 }]
references = ["r"]

[[check]]
id = "SDK001"
name = "sdk-present"
kind = "sdk-present"
severity = "info"
status = "preview"
since = "0.1"
title = "t"
what = "w"
why = "y"
example = "e"
remediation = "r"
references = ["r"]
[check.zh]
title = "标题"
what = "内容"
why = "原因"
remediation = "建议"

[[message]]
id = "base.message"
text = "{owner} collects {what}: {n} {n:site|sites}"
text_zh = "{owner}收集{what}：{n} 处"

[[test]]
rule = "base-sdk"
fixture = "fixtures/demo/demo.apk"
expect = false
"#;

/// Codes of every diagnostic (load and validation) for BASE plus `extra` in a second file.
fn codes_for(extra: &str) -> Vec<&'static str> {
    let (pack, mut diags) = Pack::load(&[("base.toml", BASE), ("extra.toml", extra)]);
    diags.extend(pack.validate());
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn base_is_clean_and_compiles() {
    assert_eq!(codes_for(""), Vec::<&str>::new());
    let pack = Pack::from_sources(&[("base.toml", BASE)]).unwrap();
    let c = pack.compile().unwrap();
    assert_eq!(c.sdks().len(), 1);
    assert_eq!(c.checks().len(), 1);
    assert_eq!(c.tests().len(), 1);
}

fn sdk(body: &str) -> String {
    format!(
        "[[sdk]]\nid = \"s\"\nname = \"S\"\ncategory = \"ads\"\npurpose = \"p\"\n\
         references = [\"r\"]\n{body}\nvendor = \"V\"\n"
    )
}

fn api(kind: &str, signature: &str, extra: &str) -> String {
    format!(
        "[[api]]\nid = \"a\"\npi_type = \"sms\"\nkind = \"{kind}\"\nsignature = \"{signature}\"\n\
         references = [\"r\"]\n{extra}\n"
    )
}

fn check(id: &str, name: &str, kind: &str, params: &str, extra: &str) -> String {
    format!(
        "[[check]]\nid = \"{id}\"\nname = \"{name}\"\nkind = \"{kind}\"\nseverity = \"low\"\n\
         status = \"stable\"\nsince = \"0.1\"\ntitle = \"t\"\nwhat = \"w\"\nwhy = \"y\"\n\
         example = \"e\"\nremediation = \"r\"\nreferences = [\"r\"]\n{extra}\n\
         [check.params]\n{params}\n"
    )
}

fn perm(name: &str, extra: &str) -> String {
    format!(
        "[[permission]]\nname = \"{name}\"\nprotection_level = \"normal\"\nadded_in = 1\n\
         references = [\"r\"]\n{extra}\n"
    )
}

#[track_caller]
fn expect(extra: &str, code: &str) {
    let got = codes_for(extra);
    assert!(
        got.contains(&code),
        "expected {code}, got {got:?} for\n{extra}"
    );
}

#[test]
fn load_errors() {
    expect("[[sdk]\nid = 1", codes::SYNTAX);
    expect(&sdk("homepage_url = \"x\""), codes::UNKNOWN_FIELD);
    expect("[[rule]]\nid = \"x\"", codes::UNKNOWN_FIELD);
    expect(
        "[[sdk]]\nid = \"s\"\nname = \"S\"\ncategory = \"ads\"\npurpose = \"p\"\n",
        codes::MISSING_FIELD,
    );
    expect(
        &sdk("").replace("\"ads\"", "\"tracking\""),
        codes::INVALID_VALUE,
    );
    expect(
        &perm("a.b", "added_in = \"1\"").replace("added_in = 1\n", ""),
        codes::INVALID_VALUE,
    );
    expect("[sdk]\nid = \"x\"", codes::INVALID_VALUE);
    expect("sdk = [1]", codes::INVALID_VALUE);
    expect(
        &perm("a.b", "pi_types = [\"imei\", \"dna\"]"),
        codes::INVALID_VALUE,
    );
}

#[test]
fn load_error_is_located() {
    let text = sdk("class_prefixes = [\"a.b.\", 3]");
    let err = Pack::from_sources(&[("x.toml", text.as_str())]).unwrap_err();
    let Error::Schema {
        location,
        code,
        field,
        message,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (location.file.as_str(), location.line, location.column),
        ("x.toml", 7, 27)
    );
    assert_eq!(code, codes::INVALID_VALUE);
    assert_eq!(field, "sdk.class_prefixes[1]");
    assert!(message.contains("expected a string"), "{message}");

    let err = Pack::from_sources(&[("y.toml", "a = \"x")]).unwrap_err();
    let Error::Syntax { location, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!((location.line, location.column), (1, 7));

    let err = Pack::from_sources(&[("z.toml", sdk("wat = 1").as_str())]).unwrap_err();
    let Error::Schema {
        field,
        code,
        location,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (field.as_str(), code, location.line, location.column),
        ("sdk.wat", codes::UNKNOWN_FIELD, 7, 1)
    );
}

#[test]
fn lenient_load_reports_every_bad_entry() {
    let text = format!(
        "{}{}{}",
        sdk("x = 1"),
        sdk("").replace("\"s\"", "\"t\""),
        sdk("y = 2")
    );
    let (pack, diags) = Pack::load(&[("x.toml", text)]);
    assert_eq!(pack.sdks().len(), 1);
    assert_eq!(
        diags.iter().map(|d| d.code).collect::<Vec<_>>(),
        [codes::UNKNOWN_FIELD; 2]
    );
}

#[test]
fn identity_errors() {
    expect(
        &sdk("class_prefixes = [\"com.dup.\"]").replace("\"s\"", "\"base-sdk\""),
        codes::DUPLICATE_ID,
    );
    // One namespace across kinds.
    expect(
        &api("string", "x", "").replace("id = \"a\"", "id = \"base-sdk\""),
        codes::DUPLICATE_ID,
    );
    expect(
        &perm("android.permission.READ_PHONE_STATE", ""),
        codes::DUPLICATE_PERMISSION,
    );
    expect(
        &sdk("class_prefixes = [\"com.s.\"]").replace("\"s\"", "\"JPush\""),
        codes::BAD_ID,
    );
    expect(&check("perm1", "x-y", "sdk-present", "", ""), codes::BAD_ID);
    expect(
        &check("X1", "Bad_Name", "sdk-present", "", ""),
        codes::BAD_CHECK_NAME,
    );
    expect(
        &check("X1", "disallow-x", "sdk-present", "", ""),
        codes::BAD_CHECK_NAME,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "").replace("\"0.1\"", "\"next\""),
        codes::BAD_SINCE,
    );
}

#[test]
fn permission_errors() {
    expect(
        &perm("a.b", "group = \"sms\"\nspecial = \"overlay\""),
        codes::GROUP_AND_SPECIAL,
    );
    expect(
        &perm("a.b", "").replace("\"normal\"", "\"normal|often\""),
        codes::BAD_PROTECTION_LEVEL,
    );
    expect(&perm("READ_SMS", ""), codes::BAD_PERMISSION_NAME);
    expect(&perm("a.b", "deprecated_in = 0"), codes::BAD_API_LEVEL);
    expect(
        &perm("a.b", "").replace("added_in = 1", "added_in = 0"),
        codes::BAD_API_LEVEL,
    );
    expect(
        &perm("a.b", "pi_types = [\"sms\", \"sms\"]"),
        codes::DUPLICATE_VALUE,
    );
}

#[test]
fn sdk_evidence_and_version_errors() {
    // String markers: at least two, each of eight characters or more, a sane minimum.
    expect(
        &sdk("strings = [\"jpush_sdk_marker\"]"),
        codes::WEAK_SDK_STRINGS,
    );
    expect(
        &sdk("strings = [\"jpush_sdk_marker\", \"init\"]"),
        codes::WEAK_SDK_STRINGS,
    );
    expect(
        &sdk("strings = [\"jpush_sdk_marker\", \"jpush_other_one\"]\nstrings_min = 3"),
        codes::WEAK_SDK_STRINGS,
    );
    expect(&sdk("strings_min = 2"), codes::WEAK_SDK_STRINGS);
    // Version sources: one location each, well formed, compiling.
    expect(
        &sdk("versions = [{ pattern = \"x\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    expect(
        &sdk("versions = [{ field = \"La;->V:I\", method = \"La;->v()I\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    expect(
        &sdk("versions = [{ field = \"Lcom/a/B;->V\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    expect(
        &sdk("versions = [{ method = \"Lcom/a/B;->v\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    expect(
        &sdk("versions = [{ native_lib = \"^libx\\\\.so$\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    expect(
        &sdk("versions = [{ string_prefix = \"SDK \", pattern = \"(\" }]"),
        codes::BAD_VERSION_SOURCE,
    );
    assert!(
        !codes_for(&sdk(
            "class_prefixes = [\"com.vsrc.\"]\nversions = [{ native_lib = '^libv(\\d)(\\d)\\.so$' }, \
             { field = \"Lcom/vsrc/B;->V:Ljava/lang/String;\" }]"
        ))
        .contains(&codes::BAD_VERSION_SOURCE)
    );
    // One SDK, one id: the same name twice.
    expect(
        &format!(
            "{}\n[[sdk]]\nid = \"s2\"\nname = \"s\"\ncategory = \"ads\"\npurpose = \"p\"\n\
             references = [\"r\"]\nclass_prefixes = [\"com.sametwo.\"]\nvendor = \"V\"\n",
            sdk("class_prefixes = [\"com.sameone.\"]")
        ),
        codes::SDK_OVERLAP,
    );
}

#[test]
fn sdk_errors() {
    expect(&sdk("class_prefixes = [\"cn/jpush/\"]"), codes::BAD_PREFIX);
    expect(&sdk("class_prefixes = [\"jpush.\"]"), codes::SHORT_PREFIX);
    expect(&sdk("class_prefixes = [\"com.mob\"]"), codes::PREFIX_NO_DOT);
    for generic in [
        "com.google.",
        "android.",
        "androidx.",
        "java.",
        "javax.",
        "kotlin.",
        "org.apache.",
        "com.android.",
    ] {
        expect(
            &sdk(&format!("class_prefixes = [\"{generic}\"]")),
            codes::GENERIC_PREFIX,
        );
    }
    expect(
        &sdk("class_prefixes = [\"com.base.sdk.\"]"),
        codes::CLAIMED_TWICE,
    );
    expect(&sdk("components = [\"PushService\"]"), codes::BAD_COMPONENT);
    expect(&sdk("intent_actions = [\"a b\"]"), codes::BAD_ACTION);
    expect(&sdk("native_libs = [\"lib*.so\"]"), codes::BAD_NATIVE_LIB);
    expect(&sdk("native_libs = [\"libx?.so\"]"), codes::BAD_NATIVE_LIB);
    expect(&sdk("domains = [\"JPush.cn\"]"), codes::BAD_DOMAIN);
    expect(&sdk("domains = [\"*.jpush.cn\"]"), codes::BAD_DOMAIN);
    expect(&sdk(""), codes::SDK_WITHOUT_SIGNATURE);
    expect(
        &sdk("domains = [\"a.cn\", \"a.cn\"]"),
        codes::DUPLICATE_VALUE,
    );
    let two = format!(
        "{}{}",
        sdk("domains = [\"a.cn\"]"),
        sdk("domains = [\"a.cn\"]").replace("\"s\"", "\"t\"")
    );
    expect(&two, codes::DOMAIN_CLAIMED_TWICE);
    let two = format!(
        "{}{}",
        sdk("native_libs = [\"libab*.so\"]"),
        sdk("native_libs = [\"libab*.so\"]").replace("\"s\"", "\"t\"")
    );
    expect(&two, codes::CLAIMED_TWICE);
    expect(
        &sdk("domains = [\"a.cn\"]").replace("purpose = \"p\"", "purpose = \" \""),
        codes::EMPTY_TEXT,
    );
    expect(
        &sdk("domains = [\"a.cn\"]").replace("[\"r\"]", "[]"),
        codes::NO_REFERENCES,
    );
    expect(
        &sdk("domains = [\"a.cn\"]").replace("[\"r\"]", "[\"\"]"),
        codes::NO_REFERENCES,
    );
}

#[test]
fn api_errors() {
    expect(
        &api("method", "La/B;->f()", ""),
        codes::BAD_METHOD_SIGNATURE,
    );
    expect(&api("field", "La/B;->f", ""), codes::BAD_FIELD_SIGNATURE);
    expect(&api("string", "", ""), codes::BAD_STRING_SIGNATURE);
    expect(
        &api("content-uri", "sms://x", ""),
        codes::BAD_STRING_SIGNATURE,
    );
    expect(
        &api(
            "string",
            "x",
            "permissions = [{ name = \"android.permission.NOPE\" }]",
        ),
        codes::UNKNOWN_PERMISSION,
    );
    expect(
        &api("string", "x", "permissions = [{ name = \"NOPE\" }]"),
        codes::BAD_PERMISSION_NAME,
    );
    expect(
        &api(
            "string",
            "x",
            "permissions = [{ name = \"android.permission.READ_PHONE_STATE\", min_sdk = 29, max_sdk = 28 }]",
        ),
        codes::BAD_API_LEVEL,
    );
    expect(
        &api(
            "string",
            "x",
            "permissions = [{ name = \"android.permission.READ_PHONE_STATE\", colour = 1 }]",
        ),
        codes::UNKNOWN_FIELD,
    );
    let two = format!(
        "{}{}",
        api("string", "x", ""),
        api("string", "x", "").replace("\"a\"", "\"b\"")
    );
    expect(&two, codes::DUPLICATE_API);
}

#[test]
fn check_errors() {
    expect(
        &check("X1", "x", "pi-api-used", "by = \"someone\"", ""),
        codes::BAD_PARAMS,
    );
    expect(&check("X1", "x", "pi-api-used", "", ""), codes::BAD_PARAMS);
    expect(
        &check("X1", "x", "sdk-present", "colour = 1", ""),
        codes::BAD_PARAMS,
    );
    expect(
        &check(
            "X1",
            "x",
            "permission-requested",
            "groups = [\"money\"]",
            "",
        ),
        codes::BAD_PARAMS,
    );
    expect(
        &check(
            "X1",
            "x",
            "permission-requested",
            "names = [\"android.permission.NOPE\"]",
            "",
        ),
        codes::UNKNOWN_PERMISSION,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "").replace("why = \"y\"", "why = \"\""),
        codes::EMPTY_TEXT,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "")
            .replace("kind = \"sdk-present\"", "kind = \"magic\""),
        codes::INVALID_VALUE,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "")
            .replace("severity = \"low\"", "severity = \"urgent\""),
        codes::INVALID_VALUE,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "")
            .replace("status = \"stable\"", "status = \"beta\""),
        codes::INVALID_VALUE,
    );
    expect(
        &check("X1", "x", "sdk-present", "", "").replace("title = \"t\"\n", ""),
        codes::MISSING_FIELD,
    );
}

fn packer(body: &str) -> String {
    format!(
        "[[packer]]\nid = \"p\"\nname = \"P\"\nkind = \"packer\"\n{body}\nreferences = [\"r\"]\n"
    )
}

#[test]
fn packer_errors() {
    assert!(
        codes_for(&packer(
            "application_classes = [\"com.stub.StubApp\"]\nclass_prefixes = [\"com.qihoo.util.\"]\n\
         native_libs = [\"libjiagu*.so\"]\nasset_files = [\"assets/libjiagu*.so\"]"
        ))
        .is_empty()
    );
    expect(&packer(""), codes::PACKER_WITHOUT_EVIDENCE);
    expect(
        &packer("asset_files = [\"lib/arm64-v8a/x.so\"]"),
        codes::BAD_ASSET,
    );
    expect(&packer("asset_files = [\"assets/*\"]"), codes::BAD_ASSET);
    expect(
        &packer("asset_files = [\"assets/../x.dat\"]"),
        codes::BAD_ASSET,
    );
    expect(
        &packer("application_classes = [\"StubApp\"]"),
        codes::BAD_COMPONENT,
    );
    expect(
        &packer("class_prefixes = [\"com.\"]"),
        codes::GENERIC_PREFIX,
    );
    expect(
        &packer("class_prefixes = [\"com.x\"]"),
        codes::PREFIX_NO_DOT,
    );
    expect(
        &packer("native_libs = [\"lib*.so\"]"),
        codes::BAD_NATIVE_LIB,
    );
    expect(
        &packer("native_libs = [\"libx1.so\"]").replace("\"packer\"\n", "\"wrapper\"\n"),
        codes::INVALID_VALUE,
    );
    expect(
        &packer("native_libs = [\"libx1.so\"]\ncolour = 1"),
        codes::UNKNOWN_FIELD,
    );
    // One id namespace with SDKs.
    expect(
        &packer("native_libs = [\"libx1.so\"]").replace("id = \"p\"", "id = \"base-sdk\""),
        codes::DUPLICATE_ID,
    );
    expect(
        &packer("native_libs = [\"libx1.so\"]").replace("references = [\"r\"]", "references = []"),
        codes::NO_REFERENCES,
    );
    // A packer id is a valid test rule.
    assert!(
        codes_for(&format!(
            "{}[[test]]\nrule = \"p\"\nfixture = \"f.apk\"\nexpect = true\n",
            packer("native_libs = [\"libx1.so\"]")
        ))
        .is_empty()
    );
    expect(
        &check("X1", "x", "packer-present", "kinds = [\"activity\"]", ""),
        codes::BAD_PARAMS,
    );
}

#[test]
fn test_errors() {
    expect(
        "[[test]]\nrule = \"nope\"\nfixture = \"f.apk\"\nexpect = true\n",
        codes::UNKNOWN_TEST_RULE,
    );
    expect(
        "[[test]]\nrule = \"SDK001\"\nfixture = \"../f.apk\"\nexpect = true\n",
        codes::BAD_FIXTURE,
    );
    expect(
        "[[test]]\nrule = \"SDK001\"\nfixture = \"/f.apk\"\nexpect = true\n",
        codes::BAD_FIXTURE,
    );
    assert!(codes_for("[[test]]\nrule = \"android.permission.READ_PHONE_STATE\"\nfixture = \"f.json\"\nexpect = true\n").is_empty());
}

fn secret(body: &str) -> String {
    format!(
        "[[secret]]\nid = \"s\"\nvendor = \"V\"\nkind = \"cloud\"\nreferences = [\"r\"]\n{body}"
    )
}

#[test]
fn secret_errors() {
    let shape = "charset = \"alnum\"\nmin_len = 16\nmax_len = 16\n";
    assert!(codes_for(&secret(&format!("prefixes = [\"AKIA\"]\n{shape}"))).is_empty());
    assert!(codes_for(&secret("meta_data = [\"APP_KEY\"]\n")).is_empty());
    assert!(
        codes_for(&secret(
            "prefixes = [\"-----BEGIN \"]\ncharset = \"pem-label\"\nmin_len = 0\nmax_len = 24\n"
        ))
        .is_empty()
    );
    expect(&secret(""), codes::SECRET_WITHOUT_PATTERN);
    expect(
        &secret(&format!(
            "prefixes = [\"AKIA\"]\nmeta_data = [\"K_EY\"]\n{shape}"
        )),
        codes::SECRET_WITHOUT_PATTERN,
    );
    expect(
        &secret(&format!("prefixes = [\"AK\"]\n{shape}")),
        codes::BAD_SECRET_PATTERN,
    );
    expect(
        &secret(&format!("prefixes = [\"AKIé\"]\n{shape}")),
        codes::BAD_SECRET_PATTERN,
    );
    expect(
        &secret("meta_data = [\"APP KEY\"]\n"),
        codes::BAD_SECRET_PATTERN,
    );
    expect(&secret("prefixes = [\"AKIA\"]\n"), codes::BAD_SECRET_SHAPE);
    expect(
        &secret("meta_data = [\"APP_KEY\"]\nmin_len = 3\n"),
        codes::BAD_SECRET_SHAPE,
    );
    for bad in [
        "charset = \"alnum\"\nmin_len = 20\nmax_len = 16\n",
        "charset = \"alnum\"\nmin_len = 4\nmax_len = 16\n",
        "charset = \"alnum\"\nmin_len = 16\nmax_len = 5000\n",
    ] {
        expect(
            &secret(&format!("prefixes = [\"AKIA\"]\n{bad}")),
            codes::BAD_SECRET_SHAPE,
        );
    }
    expect(
        &secret("meta_data = [\"A_KEY\"]\n").replace("\"cloud\"", "\"password\""),
        codes::INVALID_VALUE,
    );
    let two = format!(
        "{}\n{}",
        secret(&format!("prefixes = [\"AKIA\"]\n{shape}")),
        secret(&format!("prefixes = [\"AKIA\"]\n{shape}")).replace("id = \"s\"", "id = \"t\"")
    );
    expect(&two, codes::CLAIMED_TWICE);
    let dup = format!(
        "{}\n{}",
        secret("meta_data = [\"A_KEY\"]\n"),
        secret("meta_data = [\"B_KEY\"]\n")
    );
    expect(&dup, codes::DUPLICATE_ID);
    // A secret id is a test rule.
    let tested = format!(
        "{}\n[[test]]\nrule = \"s\"\nfixture = \"f.apk\"\nexpect = true\n",
        secret("meta_data = [\"A_KEY\"]\n")
    );
    assert!(codes_for(&tested).is_empty());
}

/// A `[[source]]` and a `[[reference]]`: once a pack defines sources, references resolve.
const SOURCES: &str = r#"
[[source]]
id = "doc"
title = "A document"
date = "2020-09-18"

[[reference]]
id = "doc:1.2"
source = "doc"
clause = "1.2"
"#;

#[test]
fn references_resolve_once_the_pack_has_sources() {
    // Free text is fine in a pack with no source (BASE cites "r").
    assert!(codes_for("").is_empty());
    // With sources, every reference resolves: BASE's "r" does not.
    let got = codes_for(SOURCES);
    assert!(got.contains(&codes::UNKNOWN_REFERENCE), "{got:?}");
    // Data tables may cite `<source>:<anything>` and web addresses; checks may not.
    let data = format!(
        "{SOURCES}\n{}",
        sdk("class_prefixes = [\"com.s.\"]\nhomepage = \"https://s.example\"").replace(
            "references = [\"r\"]",
            "references = [\"doc:anything\", \"https://s.example/docs\"]"
        )
    );
    let (pack, _) = Pack::load(&[("extra.toml", data.as_str())]);
    let diags = pack.validate();
    assert!(
        diags.iter().all(|d| d.code != codes::UNKNOWN_REFERENCE),
        "{diags:?}"
    );
    let check = format!(
        "{SOURCES}\n[[check]]\nid = \"X001\"\nname = \"x\"\nkind = \"sdk-present\"\nseverity = \"info\"\n\
         status = \"preview\"\nsince = \"0.1\"\ntitle = \"t\"\nwhat = \"w\"\nwhy = \"y\"\n\
         example = \"e\"\nremediation = \"r\"\nreferences = [\"doc:1.2\", \"doc\", \"doc:9.9\"]\n"
    );
    let (pack, _) = Pack::load(&[("extra.toml", check.as_str())]);
    let unknown: Vec<String> = pack
        .validate()
        .into_iter()
        .filter(|d| d.code == codes::UNKNOWN_REFERENCE)
        .map(|d| d.field)
        .collect();
    assert_eq!(
        unknown,
        ["check.references[2]"],
        "a check cites defined ids only"
    );
    // A reference names a defined source; dates are days.
    expect(
        &format!("{SOURCES}[[reference]]\nid = \"x\"\nsource = \"nowhere\"\nclause = \"1\"\n"),
        codes::UNKNOWN_SOURCE,
    );
    expect(
        &SOURCES.replace("2020-09-18", "18 Sept 2020"),
        codes::BAD_DATE,
    );
    // The compiled pack expands them.
    let (pack, _) = Pack::load(&[("extra.toml", check.replace(", \"doc:9.9\"", "").as_str())]);
    let compiled = pack.compile().unwrap();
    let r = compiled.reference("doc:1.2").unwrap();
    assert_eq!(
        (r.title.as_str(), r.clause.as_deref()),
        ("A document", Some("1.2"))
    );
    assert_eq!(r.date.as_deref(), Some("2020-09-18"));
    assert!(compiled.reference("doc").unwrap().clause.is_none());
    assert_eq!(
        compiled
            .reference("https://x.example/a")
            .unwrap()
            .url
            .as_deref(),
        Some("https://x.example/a")
    );
    assert!(compiled.reference("nothing").is_none());
}

#[test]
fn pi_api_used_checks_must_not_overlap() {
    let check = |id: &str, by: &str, types: &str| {
        format!(
            "[[check]]\nid = \"{id}\"\nname = \"n{}\"\nkind = \"pi-api-used\"\nseverity = \"high\"\n\
             status = \"preview\"\nsince = \"0.1\"\ntitle = \"t\"\nwhat = \"w\"\nwhy = \"y\"\n\
             example = \"e\"\nremediation = \"r\"\nreferences = [\"r\"]\n[check.params]\nby = \"{by}\"\n{types}\n",
            id.to_lowercase()
        )
    };
    let separate = format!(
        "{}{}{}",
        check("PI001", "sdk", ""),
        check("PI002", "app", ""),
        check("PI003", "unattributed", "pi_types = [\"imei\"]")
    );
    assert!(!codes_for(&separate).contains(&codes::OVERLAPPING_CHECKS));
    let overlapping = format!(
        "{}{}",
        check("PI001", "sdk", ""),
        check("ID001", "any", "pi_types = [\"imei\", \"oaid\"]")
    );
    expect(&overlapping, codes::OVERLAPPING_CHECKS);
}

#[test]
fn permission_and_sdk_checks_must_not_overlap() {
    let check = |id: &str, kind: &str, params: &str| {
        format!(
            "[[check]]\nid = \"{id}\"\nname = \"n{}\"\nkind = \"{kind}\"\nseverity = \"high\"\n\
             status = \"preview\"\nsince = \"0.1\"\ntitle = \"t\"\nwhat = \"w\"\nwhy = \"y\"\n\
             example = \"e\"\nremediation = \"r\"\nreferences = [\"r\"]\n[check.params]\n{params}\n",
            id.to_lowercase()
        )
    };
    // A name beats a group: PERM002 takes READ_SMS from PERM001's group.
    let nested = format!(
        "{}{}",
        check("PERM001", "permission-requested", "groups = [\"sms\"]"),
        check(
            "PERM002",
            "permission-requested",
            "names = [\"android.permission.READ_SMS\"]"
        )
    );
    assert!(!codes_for(&nested).contains(&codes::OVERLAPPING_CHECKS));
    let same_group = format!(
        "{}{}",
        check("PERM001", "permission-requested", "groups = [\"sms\"]"),
        check(
            "PERM002",
            "permission-requested",
            "groups = [\"sms\", \"camera\"]"
        )
    );
    expect(&same_group, codes::OVERLAPPING_CHECKS);
    // A category beats the catch-all (BASE's SDK001); two catch-alls overlap.
    let by_category = check("SDK002", "sdk-present", "categories = [\"push\"]");
    assert!(!codes_for(&by_category).contains(&codes::OVERLAPPING_CHECKS));
    expect(
        &check("SDK002", "sdk-present", ""),
        codes::OVERLAPPING_CHECKS,
    );
}

#[test]
fn libraries_and_pi_types_are_checked() {
    let library = |id: &str, prefix: &str| {
        format!(
            "[[library]]\nid = \"{id}\"\nname = \"L\"\nkind = \"platform\"\n\
             class_prefixes = [\"{prefix}\"]\nreferences = [\"r\"]\n"
        )
    };
    assert!(codes_for(&library("androidx", "androidx.")).is_empty());
    expect(&library("AndroidX", "androidx."), codes::BAD_ID);
    expect(&library("lib", "com."), codes::GENERIC_PREFIX);
    // A prefix is an SDK's or a library's, not both.
    expect(&library("lib", "com.base.sdk."), codes::CLAIMED_TWICE);
    let two = format!("{}{}", library("a", "org.lib."), library("b", "org.lib."));
    expect(&two, codes::CLAIMED_TWICE);

    let pi_type = |id: &str, name_zh: &str| {
        format!(
            "[[pi_type]]\nid = \"{id}\"\nname = \"N\"\nname_zh = \"{name_zh}\"\n\
             class = \"unchangeable-identifier\"\npersonal = true\nsensitive = false\n\
             severity = \"high\"\nseverity_reason = \"why\"\nseverity_reason_zh = \"原因\"\n\
             references = [\"r\"]\n"
        )
    };
    // Describing one type means describing them all.
    let one = pi_type("imei", "设备识别码");
    let got = codes_for(&one);
    assert_eq!(
        got.iter().filter(|c| **c == codes::MISSING_PI_TYPE).count(),
        apkscope_rules::PiType::ALL.len() - 1
    );
    expect(&pi_type("imei", ""), codes::EMPTY_TEXT);
    expect(&format!("{one}{one}"), codes::DUPLICATE_ID);
    let compiled = {
        let (pack, _) = Pack::load(&[("base.toml", BASE), ("extra.toml", one.as_str())]);
        pack.compile().unwrap()
    };
    assert_eq!(
        compiled
            .pi_type(apkscope_rules::PiType::Imei)
            .unwrap()
            .name_zh,
        "设备识别码"
    );
    assert!(compiled.pi_type(apkscope_rules::PiType::Oaid).is_none());
}

#[test]
fn sdks_name_who_makes_them() {
    let (pack, _) = Pack::load(&[(
        "extra.toml",
        "[[sdk]]\nid = \"s\"\nname = \"S\"\ncategory = \"ads\"\npurpose = \"p\"\n\
         class_prefixes = [\"com.s.\"]\nreferences = [\"r\"]\n",
    )]);
    let got: Vec<&str> = pack.validate().iter().map(|d| d.code).collect();
    assert_eq!(got, [codes::SDK_WITHOUT_VENDOR]);
    // A curated Chinese SDK also names its legal entity and privacy policy.
    let (pack, _) = Pack::load(&[(
        "extra.toml",
        "[[sdk]]\nid = \"s\"\nname = \"S\"\nname_zh = \"某\"\nvendor = \"V\"\ncategory = \"ads\"\n\
         purpose = \"p\"\nclass_prefixes = [\"com.s.\"]\nreferences = [\"r\"]\n",
    )]);
    let messages: Vec<String> = pack.validate().into_iter().map(|d| d.message).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("legal_entity") && messages[1].contains("privacy_policy"));
}

/// Codes of the diagnostics for `extra` loaded on its own (no BASE).
fn alone(extra: &str) -> Vec<&'static str> {
    let (pack, mut diags) = Pack::load(&[("extra.toml", extra)]);
    diags.extend(pack.validate());
    diags.iter().map(|d| d.code).collect()
}

#[test]
fn curated_chinese_sdks_name_their_legal_entity_and_policy() {
    let zh = |extra: &str| {
        format!(
            "[[sdk]]\nid = \"s\"\nname = \"S\"\nname_zh = \"某\"\nvendor = \"V\"\ncategory = \"ads\"\n\
             purpose = \"p\"\nclass_prefixes = [\"com.s.\"]\nreferences = [\"r\"]\n{extra}\n"
        )
    };
    let complete = "legal_entity = \"某某科技有限公司\"\nprivacy_policy = \"https://s.cn/privacy\"";
    assert_eq!(alone(&zh(complete)), Vec::<&str>::new());
    // Each missing, or given empty: an error, not a warning.
    for partial in [
        "legal_entity = \"某某科技有限公司\"",
        "privacy_policy = \"https://s.cn/privacy\"",
        "legal_entity = \" \"\nprivacy_policy = \"https://s.cn/privacy\"",
    ] {
        let got = alone(&zh(partial));
        assert_eq!(got, [codes::SDK_WITHOUT_VENDOR], "{partial}");
    }
    let (pack, _) = Pack::load(&[("extra.toml", zh("").as_str())]);
    assert!(
        pack.validate()
            .iter()
            .all(apkscope_rules::Diagnostic::is_error)
    );
    // An empty vendor is no vendor.
    let empty_vendor = zh(complete).replace("vendor = \"V\"", "vendor = \"\"");
    assert_eq!(alone(&empty_vendor), [codes::SDK_WITHOUT_VENDOR]);
    // An empty Chinese name is an empty text, not a curated SDK.
    let empty_zh = zh("").replace("name_zh = \"某\"", "name_zh = \"\"");
    assert_eq!(alone(&empty_zh), [codes::EMPTY_TEXT]);
    // Without a Chinese name, only the vendor is required.
    let plain = zh("").replace("name_zh = \"某\"\n", "");
    assert_eq!(alone(&plain), Vec::<&str>::new());
    // A missing vendor stops compilation.
    let no_vendor = plain.replace("vendor = \"V\"\n", "");
    let Err(Error::Invalid { diagnostics }) = Pack::from_sources(&[("x.toml", no_vendor.as_str())])
        .unwrap()
        .compile()
    else {
        panic!("compiled without a vendor")
    };
    assert_eq!(diagnostics[0].code, codes::SDK_WITHOUT_VENDOR);
}

/// The checks `tools/check_rule_pack.py` made that the Rust validator did not (issue 12, item
/// 10): each now has a code here.
#[test]
fn checks_moved_from_the_python_validator() {
    // SDK links are web addresses.
    expect(
        &sdk("domains = [\"a.cn\"]\nhomepage = \"www.a.cn\""),
        codes::INVALID_VALUE,
    );
    expect(
        &sdk("domains = [\"a.cn\"]\nprivacy_policy = \"a.cn/privacy\""),
        codes::INVALID_VALUE,
    );
    assert!(
        codes_for(&sdk(
            "domains = [\"a.cn\"]\nhomepage = \"https://a.cn\"\nprivacy_policy = \"http://a.cn/p\""
        ))
        .iter()
        .all(|c| *c != codes::INVALID_VALUE)
    );
    // Exodus ids start at 1.
    expect(
        &sdk("domains = [\"a.cn\"]\nexodus_id = 0"),
        codes::INVALID_VALUE,
    );
    // Optional texts, when given, are not empty.
    expect(
        &sdk("domains = [\"a.cn\"]\nlegal_entity = \"\""),
        codes::EMPTY_TEXT,
    );
    // Intent actions are dotted names, and not the platform's.
    expect(&sdk("intent_actions = [\"REGISTER\"]"), codes::BAD_ACTION);
    expect(&sdk("intent_actions = [\"com.s.-x\"]"), codes::BAD_ACTION);
    expect(
        &sdk("intent_actions = [\"android.intent.action.BOOT_COMPLETED\"]"),
        codes::BAD_ACTION,
    );
    assert!(
        codes_for(&sdk(
            "intent_actions = [\"cn.jpush.android.intent.REGISTER\"]"
        ))
        .iter()
        .all(|c| *c != codes::BAD_ACTION)
    );
    // Native libraries are `lib….so`, for SDKs and packers.
    expect(&sdk("native_libs = [\"jiagu.so\"]"), codes::BAD_NATIVE_LIB);
    expect(
        &sdk("native_libs = [\"libjiagu.dat\"]"),
        codes::BAD_NATIVE_LIB,
    );
    expect(
        &packer("native_libs = [\"jiagu*.so\"]"),
        codes::BAD_NATIVE_LIB,
    );
    // API levels have a ceiling.
    expect(&perm("a.b", "deprecated_in = 290"), codes::BAD_API_LEVEL);
    expect(
        &perm("a.b", "").replace("added_in = 1", "added_in = 230"),
        codes::BAD_API_LEVEL,
    );
    expect(
        &api(
            "string",
            "x",
            "permissions = [{ name = \"android.permission.READ_PHONE_STATE\", max_sdk = 280 }]",
        ),
        codes::BAD_API_LEVEL,
    );
    // Check ids end with three digits; check names are unique.
    expect(&check("PERM1", "p", "sdk-present", "", ""), codes::BAD_ID);
    expect(
        &check("PERM0001", "p", "sdk-present", "", ""),
        codes::BAD_ID,
    );
    assert!(
        codes_for(&check(
            "ZZZ001",
            "p",
            "sdk-present",
            "categories = [\"ads\"]",
            ""
        ))
        .iter()
        .all(|c| *c != codes::BAD_ID)
    );
    expect(
        &check(
            "ZZZ001",
            "sdk-present",
            "sdk-present",
            "categories = [\"ads\"]",
            "",
        ),
        codes::DUPLICATE_ID,
    );
    // A list parameter given empty means the same as leaving it out.
    expect(
        &check(
            "ZZZ001",
            "p",
            "pi-api-used",
            "by = \"app\"\npi_types = []",
            "",
        ),
        codes::BAD_PARAMS,
    );
    expect(
        &check("ZZZ001", "p", "exported-unprotected", "kinds = []", ""),
        codes::BAD_PARAMS,
    );
}

/// `[[message]]` placeholders are well formed and the same in both languages; a check without
/// Chinese texts is a warning.
#[test]
fn messages_and_translations_are_checked() {
    let message = |text: &str, text_zh: &str| {
        format!("[[message]]\nid = \"m\"\ntext = \"{text}\"\ntext_zh = \"{text_zh}\"\n")
    };
    assert!(codes_for(&message("{a} and {b:x|y}", "{b:x|y}{a}")).is_empty());
    expect(&message("{a}", "{b}"), codes::BAD_MESSAGE);
    expect(&message("{a", "{a}"), codes::BAD_MESSAGE);
    expect(&message("{a}", "{A}"), codes::BAD_MESSAGE);
    expect(&message("{n:site}", "{n:site}"), codes::BAD_MESSAGE);
    expect(&message("", "x"), codes::EMPTY_TEXT);
    expect(
        &message("{base}", "{base}").replace("\"m\"", "\"base.message\""),
        codes::DUPLICATE_ID,
    );
    let check = "[[check]]\nid = \"SDK002\"\nname = \"ads-sdk-present\"\nkind = \"sdk-present\"\n\
                 severity = \"info\"\nstatus = \"preview\"\nsince = \"0.1\"\ntitle = \"t\"\n\
                 what = \"w\"\nwhy = \"y\"\nexample = \"e\"\nremediation = \"r\"\n\
                 references = [\"r\"]\nparams = { categories = [\"ads\"] }\n";
    expect(check, codes::MISSING_TRANSLATION);
    let empty_zh = check.replace(
        "params =",
        "zh = { title = \"\", what = \"w\", why = \"y\", remediation = \"r\" }\nparams =",
    );
    expect(&empty_zh, codes::EMPTY_TEXT);
}

/// The call graph's tables and the SDKs' `init_apis`/`privacy_switches`: malformed methods and
/// selectors (E040), empty lists (E024), bad and duplicate ids (E012, E010), unknown triggers
/// and component kinds (E004), a valid set that passes.
#[test]
fn call_graph_tables() {
    let valid = r#"
[[entry]]
id = "app"
trigger = "startup"
component = "application"
methods = ["onCreate()V"]
references = ["r"]

[[entry]]
id = "clicks"
trigger = "user"
methods = ["onClick(Landroid/view/View;)V"]
references = ["r"]

[[async]]
id = "thread"
apis = ["Ljava/lang/Thread;->start()V"]
callbacks = ["run()V"]
periodic = false
references = ["r"]

[[consent_gate]]
id = "flag"
apis = ["Landroid/content/SharedPreferences;->getBoolean(Ljava/lang/String;Z)Z"]
references = ["r"]
"#;
    assert_eq!(codes_for(valid), Vec::<&str>::new());
    expect(
        "[[entry]]\nid = \"e\"\ntrigger = \"startup\"\nmethods = [\"onCreate\"]\nreferences = [\"r\"]",
        codes::BAD_METHOD_SIGNATURE,
    );
    expect(
        "[[entry]]\nid = \"e\"\ntrigger = \"startup\"\nmethods = []\nreferences = [\"r\"]",
        codes::BAD_PARAMS,
    );
    expect(
        "[[entry]]\nid = \"E e\"\ntrigger = \"startup\"\nmethods = [\"a()V\"]\nreferences = [\"r\"]",
        codes::BAD_ID,
    );
    expect(
        "[[entry]]\nid = \"e\"\ntrigger = \"boot\"\nmethods = [\"a()V\"]\nreferences = [\"r\"]",
        codes::INVALID_VALUE,
    );
    expect(
        "[[entry]]\nid = \"e\"\ntrigger = \"startup\"\ncomponent = \"widget\"\nmethods = [\"a()V\"]\nreferences = [\"r\"]",
        codes::INVALID_VALUE,
    );
    expect(
        "[[async]]\nid = \"a\"\napis = [\"Thread.start\"]\ncallbacks = [\"run()V\"]\nreferences = [\"r\"]",
        codes::BAD_METHOD_SIGNATURE,
    );
    expect(
        "[[async]]\nid = \"a\"\napis = [\"La;->b()V\"]\ncallbacks = []\nreferences = [\"r\"]",
        codes::BAD_PARAMS,
    );
    expect(
        "[[consent_gate]]\nid = \"g\"\napis = [\"getBoolean\"]\nreferences = [\"r\"]",
        codes::BAD_METHOD_SIGNATURE,
    );
    expect(
        "[[consent_gate]]\nid = \"g\"\napis = [\"La;->b()V\"]\nreferences = [\"r\"]\n\n[[async]]\nid = \"g\"\napis = [\"La;->b()V\"]\ncallbacks = [\"run()V\"]\nreferences = [\"r\"]",
        codes::DUPLICATE_ID,
    );
    expect(
        &sdk("init_apis = [\"JPushInterface.init\"]"),
        codes::BAD_METHOD_SIGNATURE,
    );
    expect(
        &sdk("privacy_switches = [\"Lcn/a/B;->setAuth\"]"),
        codes::BAD_METHOD_SIGNATURE,
    );
    assert_eq!(
        codes_for(&sdk(
            "class_prefixes = [\"cn.a.\"]\ninit_apis = [\"Lcn/a/B;->init(Landroid/content/Context;)V\"]\nprivacy_switches = [\"Lcn/a/B;->setAuth(Landroid/content/Context;Z)V\"]"
        )),
        Vec::<&str>::new()
    );
}

/// Parameters of the check kinds the call graph and the behaviour analyses added.
#[test]
fn behaviour_check_params() {
    expect(
        &check("X1", "x", "before-consent", "condition = \"sometimes\"", ""),
        codes::BAD_PARAMS,
    );
    expect(
        &check("X1", "x", "component-capability", "permissions = []", ""),
        codes::BAD_PARAMS,
    );
    expect(
        &check("X1", "x", "self-start", "actions = []", ""),
        codes::BAD_PARAMS,
    );
    expect(
        &check(
            "X1",
            "x",
            "self-start",
            "actions = [\"a.B\"]\nexempt_actions = [\"c.D\"]",
            "",
        ),
        codes::BAD_PARAMS,
    );
    expect(
        &check(
            "X1",
            "x",
            "component-capability",
            "permissions = [\"android.permission.BIND_VPN_SERVICE\"]\nkinds = [\"widget\"]",
            "",
        ),
        codes::BAD_PARAMS,
    );
}

#[test]
fn every_code_is_exercised() {
    // Keep this list in step with the tests above; E000 (I/O) is covered in `golden`; E099
    // (too large), E098 and W098 (diagnostics left out) in `hostile`.
    let tested = [
        codes::SYNTAX,
        codes::UNKNOWN_FIELD,
        codes::MISSING_FIELD,
        codes::INVALID_VALUE,
        codes::DUPLICATE_ID,
        codes::DUPLICATE_PERMISSION,
        codes::BAD_ID,
        codes::BAD_CHECK_NAME,
        codes::BAD_SINCE,
        codes::GROUP_AND_SPECIAL,
        codes::BAD_PROTECTION_LEVEL,
        codes::BAD_PERMISSION_NAME,
        codes::BAD_API_LEVEL,
        codes::BAD_PARAMS,
        codes::BAD_PREFIX,
        codes::SHORT_PREFIX,
        codes::PREFIX_NO_DOT,
        codes::GENERIC_PREFIX,
        codes::CLAIMED_TWICE,
        codes::BAD_COMPONENT,
        codes::BAD_ACTION,
        codes::BAD_NATIVE_LIB,
        codes::BAD_DOMAIN,
        codes::BAD_METHOD_SIGNATURE,
        codes::BAD_FIELD_SIGNATURE,
        codes::BAD_STRING_SIGNATURE,
        codes::NO_REFERENCES,
        codes::EMPTY_TEXT,
        codes::UNKNOWN_TEST_RULE,
        codes::BAD_FIXTURE,
        codes::BAD_ASSET,
        codes::PACKER_WITHOUT_EVIDENCE,
        codes::BAD_SECRET_PATTERN,
        codes::BAD_SECRET_SHAPE,
        codes::SECRET_WITHOUT_PATTERN,
        codes::SDK_WITHOUT_SIGNATURE,
        codes::DUPLICATE_VALUE,
        codes::DOMAIN_CLAIMED_TWICE,
        codes::UNKNOWN_PERMISSION,
        codes::DUPLICATE_API,
        codes::UNKNOWN_REFERENCE,
        codes::UNKNOWN_SOURCE,
        codes::OVERLAPPING_CHECKS,
        codes::BAD_DATE,
        codes::MISSING_PI_TYPE,
        codes::SDK_WITHOUT_VENDOR,
        codes::BAD_MESSAGE,
        codes::MISSING_TRANSLATION,
        codes::WEAK_SDK_STRINGS,
        codes::BAD_VERSION_SOURCE,
        codes::SDK_OVERLAP,
    ];
    for c in codes::ALL {
        assert!(
            tested.contains(c)
                || [
                    codes::IO,
                    codes::TOO_LARGE,
                    codes::MORE_ERRORS,
                    codes::MORE_WARNINGS
                ]
                .contains(c),
            "{c} untested"
        );
    }
}

#[test]
fn warnings_do_not_block_compilation() {
    let extra = sdk("");
    let pack = Pack::from_sources(&[("base.toml", BASE), ("extra.toml", extra.as_str())]).unwrap();
    let diags = pack.validate();
    assert!(diags.iter().all(|d| d.level == Level::Warning), "{diags:?}");
    assert!(pack.compile().is_ok());
    let bad = sdk("class_prefixes = [\"com.\"]");
    let pack = Pack::from_sources(&[("base.toml", BASE), ("extra.toml", bad.as_str())]).unwrap();
    let Err(Error::Invalid { diagnostics }) = pack.compile() else {
        panic!("compiled")
    };
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].field, "sdk.class_prefixes[0]");
    assert_eq!((diagnostics[0].line, diagnostics[0].column), (7, 19));
}

#[test]
fn merge_rejects_reused_ids() {
    let mut base = Pack::from_sources(&[("base.toml", BASE)]).unwrap();
    let extra = sdk("domains = [\"x.cn\"]").replace("\"s\"", "\"base-sdk\"");
    let other = Pack::from_sources(&[("extra/sdk.toml", extra.as_str())]).unwrap();
    let err = base.merge(other).unwrap_err();
    let Error::DuplicateId { id, first, second } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(id, "base-sdk");
    assert_eq!((first.file.as_str(), first.line), ("base.toml", 10));
    assert_eq!((second.file.as_str(), second.line), ("extra/sdk.toml", 1));
    assert!(
        err.to_string().contains("base.toml:10:1")
            && err.to_string().contains("extra/sdk.toml:1:1")
    );
    assert_eq!(err.diagnostics()[0].code, codes::DUPLICATE_ID);
    assert_eq!(base.sdks().len(), 1, "nothing added");

    let fine = sdk("domains = [\"x.cn\"]");
    base.merge(Pack::from_sources(&[("extra/sdk.toml", fine.as_str())]).unwrap())
        .unwrap();
    assert_eq!(base.sdks().len(), 2);
    assert_eq!(base.sdks()[1].origin.file(), "extra/sdk.toml");
    assert!(base.compile().is_ok());
}

#[test]
fn hash_is_stable_and_sensitive() {
    let a = Pack::from_sources(&[("a.toml", BASE), ("b.toml", "")]).unwrap();
    let b = Pack::from_sources(&[("b.toml", ""), ("a.toml", BASE)]).unwrap();
    assert_eq!(a.hash(), b.hash(), "order of loading does not matter");
    let c = Pack::from_sources(&[("a.toml", BASE), ("b.toml", "# changed")]).unwrap();
    assert_ne!(a.hash(), c.hash());
    let d = Pack::from_sources(&[("a2.toml", BASE), ("b.toml", "")]).unwrap();
    assert_ne!(a.hash(), d.hash(), "names count");
    let hex = a.compile().unwrap().pack_hash_hex();
    assert_eq!(hex.len(), 64);
}
