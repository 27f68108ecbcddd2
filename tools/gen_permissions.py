#!/usr/bin/env python3
"""Generate rules/permissions.toml from the compact table below.

Columns: name | protection level | added in (API) | deprecated in (API or -) |
group or special (g:<TC260 group>, s:<special class> or -) | pi_types (comma list or -)

Facts: Android SDK `Manifest.permission` reference and the platform manifest
(frameworks/base/core/res/AndroidManifest.xml) protection levels; TC260 groups from
regulations-and-sdks.md §2(a). Names without the `android.permission.` prefix are platform
permissions; full names are other platform, Google or vendor permissions. Google and
vendor permissions are not tied to an API level: their `added_in` is 1.
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulepack_common as rc  # noqa: E402

TABLE = """
ACCEPT_HANDOVER | dangerous | 28 | - | g:phone | device-info
ACCESS_BACKGROUND_LOCATION | dangerous | 29 | - | g:location | location
ACCESS_BLOBS_ACROSS_USERS | signature|privileged|development|role | 31 | - | - | -
ACCESS_CHECKIN_PROPERTIES | signature|privileged | 1 | - | - | -
ACCESS_COARSE_LOCATION | dangerous | 1 | - | g:location | location,cell-info,wifi-info
ACCESS_FINE_LOCATION | dangerous | 1 | - | g:location | location,cell-info,wifi-info
ACCESS_HIDDEN_PROFILES | normal | 35 | - | - | -
ACCESS_LOCATION_EXTRA_COMMANDS | normal | 1 | - | - | -
ACCESS_MEDIA_LOCATION | dangerous | 29 | - | g:storage | location,media
ACCESS_NETWORK_STATE | normal | 1 | - | - | network-state
ACCESS_NOTIFICATION_POLICY | normal | 23 | - | s:do-not-disturb | -
ACCESS_WIFI_STATE | normal | 1 | - | - | wifi-info,mac
ACCOUNT_MANAGER | signature | 5 | - | - | accounts
ACTIVITY_RECOGNITION | dangerous | 29 | - | g:body-sensors | sensors
ANSWER_PHONE_CALLS | dangerous | 26 | - | g:phone | -
BATTERY_STATS | signature|privileged|development | 1 | - | - | device-info
BIND_ACCESSIBILITY_SERVICE | signature | 16 | - | s:accessibility | -
BIND_APPWIDGET | signature|privileged | 3 | - | - | -
BIND_AUTOFILL_SERVICE | signature | 26 | - | - | -
BIND_CALL_REDIRECTION_SERVICE | signature|privileged | 29 | - | - | -
BIND_CARRIER_MESSAGING_CLIENT_SERVICE | signature | 29 | - | - | -
BIND_CARRIER_MESSAGING_SERVICE | signature|privileged | 22 | 23 | - | -
BIND_CARRIER_SERVICES | signature|privileged | 23 | - | - | -
BIND_CHOOSER_TARGET_SERVICE | signature | 23 | 30 | - | -
BIND_COMPANION_DEVICE_SERVICE | signature | 31 | - | - | -
BIND_CONDITION_PROVIDER_SERVICE | signature | 24 | - | - | -
BIND_CONTROLS | signature | 30 | - | - | -
BIND_CREDENTIAL_PROVIDER_SERVICE | signature | 34 | - | - | -
BIND_DEVICE_ADMIN | signature | 8 | - | s:device-admin | -
BIND_DREAM_SERVICE | signature | 21 | - | - | -
BIND_INCALL_SERVICE | signature|privileged | 23 | - | - | -
BIND_INPUT_METHOD | signature | 3 | - | - | -
BIND_JOB_SERVICE | signature | 21 | - | - | -
BIND_MIDI_DEVICE_SERVICE | signature | 23 | - | - | -
BIND_NFC_SERVICE | signature | 19 | - | - | -
BIND_NOTIFICATION_LISTENER_SERVICE | signature | 18 | - | s:notification-listener | -
BIND_PRINT_SERVICE | signature | 19 | - | - | -
BIND_QUICK_ACCESS_WALLET_SERVICE | signature | 30 | - | - | -
BIND_QUICK_SETTINGS_TILE | signature | 24 | - | - | -
BIND_REMOTEVIEWS | signature|privileged | 11 | - | - | -
BIND_SCREENING_SERVICE | signature|privileged | 24 | - | - | -
BIND_TELECOM_CONNECTION_SERVICE | signature|privileged | 23 | - | - | -
BIND_TEXT_SERVICE | signature | 14 | - | - | -
BIND_TV_INPUT | signature|privileged | 21 | - | - | -
BIND_TV_INTERACTIVE_APP_SERVICE | signature|privileged | 33 | - | - | -
BIND_VISUAL_VOICEMAIL_SERVICE | signature|privileged | 26 | - | - | -
BIND_VOICE_INTERACTION | signature | 21 | - | - | -
BIND_VPN_SERVICE | signature | 14 | - | s:vpn | -
BIND_VR_LISTENER_SERVICE | signature | 24 | - | - | -
BIND_WALLPAPER | signature|privileged | 8 | - | - | -
BLUETOOTH | normal | 1 | 31 | - | bluetooth
BLUETOOTH_ADMIN | normal | 1 | 31 | - | bluetooth
BLUETOOTH_ADVERTISE | dangerous | 31 | - | - | bluetooth
BLUETOOTH_CONNECT | dangerous | 31 | - | - | bluetooth,mac
BLUETOOTH_PRIVILEGED | signature|privileged | 19 | - | - | bluetooth,mac
BLUETOOTH_SCAN | dangerous | 31 | - | - | bluetooth,location
BODY_SENSORS | dangerous | 20 | - | g:body-sensors | sensors
BODY_SENSORS_BACKGROUND | dangerous | 33 | - | g:body-sensors | sensors
BROADCAST_PACKAGE_REMOVED | signature|privileged | 1 | - | - | -
BROADCAST_SMS | signature | 2 | - | - | -
BROADCAST_STICKY | normal | 1 | - | - | -
BROADCAST_WAP_PUSH | signature | 2 | - | - | -
CALL_COMPANION_APP | normal | 29 | - | - | -
CALL_PHONE | dangerous | 1 | - | g:phone | -
CALL_PRIVILEGED | signature|privileged | 1 | - | - | -
CAMERA | dangerous | 1 | - | g:camera | camera
CAMERA_OPEN_CLOSE_LISTENER | signature | 30 | - | - | -
CAPTURE_AUDIO_OUTPUT | signature|privileged | 19 | - | - | microphone
CHANGE_COMPONENT_ENABLED_STATE | signature|privileged | 1 | - | - | -
CHANGE_CONFIGURATION | signature|privileged|development | 1 | - | - | -
CHANGE_NETWORK_STATE | normal | 1 | - | - | -
CHANGE_WIFI_MULTICAST_STATE | normal | 4 | - | - | -
CHANGE_WIFI_STATE | normal | 1 | - | - | -
CLEAR_APP_CACHE | signature|privileged | 1 | - | - | -
CONTROL_LOCATION_UPDATES | signature|privileged | 1 | - | - | location
CREDENTIAL_MANAGER_QUERY_CANDIDATE_CREDENTIALS | signature|privileged | 35 | - | - | -
CREDENTIAL_MANAGER_SET_ALLOWED_PROVIDERS | signature|privileged | 34 | - | - | -
CREDENTIAL_MANAGER_SET_ORIGIN | signature|privileged | 34 | - | - | -
DELETE_CACHE_FILES | signature|privileged | 1 | - | - | -
DELETE_PACKAGES | signature|privileged | 1 | - | - | -
DELIVER_COMPANION_MESSAGES | normal | 33 | - | - | -
DETECT_SCREEN_CAPTURE | normal | 34 | - | - | -
DETECT_SCREEN_RECORDING | normal | 35 | - | - | -
DIAGNOSTIC | signature | 1 | - | - | -
DISABLE_KEYGUARD | normal | 1 | - | - | -
DUMP | signature|privileged|development | 1 | - | - | -
ENFORCE_UPDATE_OWNERSHIP | normal | 34 | - | - | -
EXECUTE_APP_ACTION | internal|role | 34 | - | - | -
EXPAND_STATUS_BAR | normal | 1 | - | - | -
FACTORY_TEST | signature | 1 | - | - | -
FOREGROUND_SERVICE | normal | 28 | - | - | -
FOREGROUND_SERVICE_CAMERA | normal | 34 | - | - | camera
FOREGROUND_SERVICE_CONNECTED_DEVICE | normal | 34 | - | - | -
FOREGROUND_SERVICE_DATA_SYNC | normal | 34 | - | - | -
FOREGROUND_SERVICE_HEALTH | normal | 34 | - | - | sensors
FOREGROUND_SERVICE_LOCATION | normal | 34 | - | - | location
FOREGROUND_SERVICE_MEDIA_PLAYBACK | normal | 34 | - | - | -
FOREGROUND_SERVICE_MEDIA_PROCESSING | normal | 35 | - | - | -
FOREGROUND_SERVICE_MEDIA_PROJECTION | normal | 34 | - | - | -
FOREGROUND_SERVICE_MICROPHONE | normal | 34 | - | - | microphone
FOREGROUND_SERVICE_PHONE_CALL | normal | 34 | - | - | -
FOREGROUND_SERVICE_REMOTE_MESSAGING | normal | 34 | - | - | -
FOREGROUND_SERVICE_SPECIAL_USE | normal | 34 | - | - | -
FOREGROUND_SERVICE_SYSTEM_EXEMPTED | normal | 34 | - | - | -
GET_ACCOUNTS | dangerous | 1 | - | g:contacts | accounts
GET_ACCOUNTS_PRIVILEGED | signature|privileged | 23 | - | - | accounts
GET_PACKAGE_SIZE | normal | 1 | - | - | -
GET_TASKS | normal | 1 | 21 | - | running-apps
GLOBAL_SEARCH | signature|privileged | 4 | - | - | -
HIDE_OVERLAY_WINDOWS | normal | 31 | - | - | -
HIGH_SAMPLING_RATE_SENSORS | normal | 31 | - | - | sensors
INSTALL_LOCATION_PROVIDER | signature|privileged | 4 | - | - | location
INSTALL_PACKAGES | signature|privileged | 1 | - | - | -
INSTANT_APP_FOREGROUND_SERVICE | signature|development|instant|appop | 26 | - | - | -
INTERACT_ACROSS_PROFILES | signature|appop | 30 | - | - | -
INTERNET | normal | 1 | - | - | -
KILL_BACKGROUND_PROCESSES | normal | 8 | - | - | -
LAUNCH_CAPTURE_CONTENT_ACTIVITY_FOR_NOTE | signature|role | 34 | - | - | -
LAUNCH_MULTI_PANE_SETTINGS_DEEP_LINK | signature|privileged | 34 | - | - | -
LOADER_USAGE_STATS | signature|privileged|appop | 30 | - | - | running-apps
LOCATION_HARDWARE | signature|privileged | 18 | - | - | location
MANAGE_DEVICE_LOCK_STATE | internal|role | 34 | - | - | -
MANAGE_DOCUMENTS | signature | 19 | - | - | media
MANAGE_EXTERNAL_STORAGE | signature|appop|preinstalled | 30 | - | s:all-files-access | media
MANAGE_MEDIA | signature|appop|preinstalled | 31 | - | - | media
MANAGE_ONGOING_CALLS | signature|appop | 31 | - | - | -
MANAGE_OWN_CALLS | normal | 26 | - | - | -
MANAGE_WIFI_INTERFACES | signature|privileged|role | 33 | - | - | -
MANAGE_WIFI_NETWORK_SELECTION | signature|privileged|role | 33 | - | - | wifi-info
MASTER_CLEAR | signature|privileged | 1 | - | - | -
MEDIA_CONTENT_CONTROL | signature|privileged | 19 | - | - | -
MEDIA_ROUTING_CONTROL | signature|appop | 35 | - | - | -
MODIFY_AUDIO_SETTINGS | normal | 1 | - | - | -
MODIFY_PHONE_STATE | signature|privileged | 1 | - | - | -
MOUNT_FORMAT_FILESYSTEMS | signature|privileged | 3 | - | - | -
MOUNT_UNMOUNT_FILESYSTEMS | signature|privileged | 1 | - | - | -
NEARBY_WIFI_DEVICES | dangerous | 33 | - | - | wifi-info
NFC | normal | 9 | - | - | -
NFC_PREFERRED_PAYMENT_INFO | normal | 30 | - | - | -
NFC_TRANSACTION_EVENT | normal | 28 | - | - | -
OVERRIDE_WIFI_CONFIG | signature|privileged | 33 | - | - | -
PACKAGE_USAGE_STATS | signature|privileged|development|appop|retailDemo | 23 | - | s:usage-stats | running-apps,installed-apps
PERSISTENT_ACTIVITY | normal | 1 | 15 | - | -
POST_NOTIFICATIONS | dangerous | 33 | - | - | -
PROCESS_OUTGOING_CALLS | dangerous | 1 | 29 | g:call-log | call-log,phone-number
PROVIDE_REMOTE_CREDENTIALS | signature|privileged|role | 35 | - | - | -
QUERY_ALL_PACKAGES | normal | 30 | - | - | installed-apps
READ_ASSISTANT_APP_SEARCH_DATA | internal|role | 34 | - | - | -
READ_BASIC_PHONE_STATE | normal | 33 | - | - | device-info
READ_CALENDAR | dangerous | 1 | - | g:calendar | calendar
READ_CALL_LOG | dangerous | 16 | - | g:call-log | call-log
READ_CONTACTS | dangerous | 1 | - | g:contacts | contacts
READ_DROPBOX_DATA | signature|privileged|development | 35 | - | - | -
READ_EXTERNAL_STORAGE | dangerous | 16 | 33 | g:storage | media
READ_HOME_APP_SEARCH_DATA | internal|role | 34 | - | - | -
READ_INPUT_STATE | signature | 1 | 16 | - | -
READ_LOGS | signature|privileged|development | 1 | - | - | device-info
READ_MEDIA_AUDIO | dangerous | 33 | - | g:storage | media
READ_MEDIA_IMAGES | dangerous | 33 | - | g:storage | media
READ_MEDIA_VIDEO | dangerous | 33 | - | g:storage | media
READ_MEDIA_VISUAL_USER_SELECTED | dangerous | 34 | - | g:storage | media
READ_NEARBY_STREAMING_POLICY | normal | 31 | - | - | -
READ_PHONE_NUMBERS | dangerous | 26 | - | g:phone | phone-number
READ_PHONE_STATE | dangerous | 1 | - | g:phone | imei,imsi,iccid,serial,phone-number,device-info
READ_PRECISE_PHONE_STATE | signature|privileged | 30 | - | - | device-info
READ_SMS | dangerous | 1 | - | g:sms | sms
READ_SYNC_SETTINGS | normal | 1 | - | - | -
READ_SYNC_STATS | normal | 1 | - | - | -
READ_VOICEMAIL | signature|privileged|role | 14 | - | - | -
REBOOT | signature|privileged | 1 | - | - | -
RECEIVE_BOOT_COMPLETED | normal | 1 | - | - | -
RECEIVE_MMS | dangerous | 1 | - | g:sms | sms
RECEIVE_SMS | dangerous | 1 | - | g:sms | sms
RECEIVE_WAP_PUSH | dangerous | 1 | - | g:sms | sms
RECORD_AUDIO | dangerous | 1 | - | g:microphone | microphone
REORDER_TASKS | normal | 1 | - | - | -
REQUEST_COMPANION_PROFILE_APP_STREAMING | signature | 31 | - | - | -
REQUEST_COMPANION_PROFILE_AUTOMOTIVE_PROJECTION | signature | 31 | - | - | -
REQUEST_COMPANION_PROFILE_COMPUTER | signature | 31 | - | - | -
REQUEST_COMPANION_PROFILE_GLASSES | normal | 34 | - | - | -
REQUEST_COMPANION_PROFILE_NEARBY_DEVICE_STREAMING | signature | 34 | - | - | -
REQUEST_COMPANION_PROFILE_WATCH | normal | 31 | - | - | -
REQUEST_COMPANION_RUN_IN_BACKGROUND | normal | 26 | - | - | -
REQUEST_COMPANION_SELF_MANAGED | signature|privileged | 33 | - | - | -
REQUEST_COMPANION_START_FOREGROUND_SERVICES_FROM_BACKGROUND | normal | 31 | - | - | -
REQUEST_COMPANION_USE_DATA_IN_BACKGROUND | normal | 26 | - | - | -
REQUEST_DELETE_PACKAGES | normal | 26 | - | - | -
REQUEST_IGNORE_BATTERY_OPTIMIZATIONS | normal | 23 | - | s:battery-optimization | -
REQUEST_INSTALL_PACKAGES | signature|appop | 23 | - | s:install-packages | -
REQUEST_OBSERVE_COMPANION_DEVICE_PRESENCE | normal | 31 | - | - | -
REQUEST_PASSWORD_COMPLEXITY | normal | 29 | - | - | -
RESTART_PACKAGES | normal | 1 | 15 | - | -
RUN_USER_INITIATED_JOBS | normal | 34 | - | - | -
SCHEDULE_EXACT_ALARM | signature|privileged|appop | 31 | - | s:exact-alarm | -
SEND_RESPOND_VIA_MESSAGE | signature|privileged | 18 | - | - | -
SEND_SMS | dangerous | 1 | - | g:sms | sms
SET_ALWAYS_FINISH | signature|development | 1 | - | - | -
SET_ANIMATION_SCALE | signature|privileged|development | 1 | - | - | -
SET_DEBUG_APP | signature|development | 1 | - | - | -
SET_PREFERRED_APPLICATIONS | signature | 1 | 15 | - | -
SET_PROCESS_LIMIT | signature|development | 1 | - | - | -
SET_TIME | signature|privileged | 8 | - | - | -
SET_TIME_ZONE | signature|privileged | 1 | - | - | -
SET_WALLPAPER | normal | 1 | - | - | -
SET_WALLPAPER_HINTS | normal | 1 | - | - | -
SIGNAL_PERSISTENT_PROCESSES | signature|privileged|development | 1 | - | - | -
SMS_FINANCIAL_TRANSACTIONS | signature|appop | 29 | 31 | - | sms
START_FOREGROUND_SERVICES_FROM_BACKGROUND | signature|privileged|development|appop | 31 | - | - | -
START_VIEW_APP_FEATURES | signature|installer | 31 | - | - | -
START_VIEW_PERMISSION_USAGE | signature|installer | 29 | - | - | -
STATUS_BAR | signature|privileged | 1 | - | - | -
SUBSCRIBE_TO_KEYGUARD_LOCKED_STATE | signature|role | 33 | - | - | -
SYSTEM_ALERT_WINDOW | signature|setup|appop|installer|pre23|development | 1 | - | s:overlay | -
TRANSMIT_IR | normal | 19 | - | - | -
TURN_SCREEN_ON | normal|appop | 34 | - | - | -
UPDATE_DEVICE_STATS | signature|privileged | 3 | - | - | -
UPDATE_PACKAGES_WITHOUT_USER_ACTION | normal | 31 | - | - | -
USE_BIOMETRIC | normal | 28 | - | - | -
USE_EXACT_ALARM | normal | 33 | - | s:exact-alarm | -
USE_FINGERPRINT | normal | 23 | 28 | - | -
USE_FULL_SCREEN_INTENT | normal|appop | 29 | - | - | -
USE_ICC_AUTH_WITH_DEVICE_IDENTIFIER | signature|appop | 31 | - | - | imsi
USE_SIP | dangerous | 9 | - | g:phone | -
UWB_RANGING | dangerous | 31 | - | - | location
VIBRATE | normal | 1 | - | - | -
WAKE_LOCK | normal | 1 | - | - | -
WRITE_APN_SETTINGS | signature|privileged | 1 | - | - | -
WRITE_CALENDAR | dangerous | 1 | - | g:calendar | calendar
WRITE_CALL_LOG | dangerous | 16 | - | g:call-log | call-log
WRITE_CONTACTS | dangerous | 1 | - | g:contacts | contacts
WRITE_EXTERNAL_STORAGE | dangerous | 4 | 30 | g:storage | media
WRITE_GSERVICES | signature|privileged | 1 | - | - | -
WRITE_SECURE_SETTINGS | signature|privileged|development | 3 | - | - | -
WRITE_SETTINGS | signature|preinstalled|appop|pre23 | 1 | - | s:write-settings | -
WRITE_SYNC_SETTINGS | normal | 1 | - | - | -
WRITE_VOICEMAIL | signature|privileged|role | 14 | - | - | -
READ_PRIVILEGED_PHONE_STATE | signature|privileged | 22 | - | - | imei,imsi,iccid,serial,phone-number
LOCAL_MAC_ADDRESS | signature|privileged | 23 | - | - | mac
PEERS_MAC_ADDRESS | signature|setup | 23 | - | - | mac
AUTHENTICATE_ACCOUNTS | dangerous | 5 | 23 | - | accounts
MANAGE_ACCOUNTS | dangerous | 5 | 23 | - | accounts
USE_CREDENTIALS | dangerous | 5 | 23 | - | accounts
READ_PROFILE | dangerous | 14 | 23 | g:contacts | contacts,phone-number
WRITE_PROFILE | dangerous | 14 | 23 | g:contacts | contacts
READ_SOCIAL_STREAM | dangerous | 15 | 23 | g:contacts | contacts
WRITE_SOCIAL_STREAM | dangerous | 15 | 23 | g:contacts | contacts
READ_USER_DICTIONARY | dangerous | 1 | 23 | - | -
WRITE_USER_DICTIONARY | normal | 1 | 23 | - | -
WRITE_SMS | dangerous | 1 | 19 | g:sms | sms
com.android.voicemail.permission.ADD_VOICEMAIL | dangerous | 14 | - | g:phone | -
com.android.alarm.permission.SET_ALARM | normal | 9 | - | - | -
com.android.launcher.permission.INSTALL_SHORTCUT | normal | 19 | - | - | -
com.android.launcher.permission.UNINSTALL_SHORTCUT | normal | 19 | 29 | - | -
com.android.browser.permission.READ_HISTORY_BOOKMARKS | dangerous | 1 | 23 | - | device-info
com.android.browser.permission.WRITE_HISTORY_BOOKMARKS | dangerous | 1 | 23 | - | -
"""

# Device-policy permissions of API 34/35 (Manifest.permission.MANAGE_DEVICE_POLICY_*),
# requested by device-policy controllers; all `internal|role` in the platform manifest.
DEVICE_POLICY = {
    34: """ACCESSIBILITY ACCOUNT_MANAGEMENT ACROSS_USERS ACROSS_USERS_FULL
        ACROSS_USERS_SECURITY_CRITICAL AIRPLANE_MODE APPS_CONTROL APP_RESTRICTIONS APP_USER_DATA
        AUDIO_OUTPUT AUTOFILL BACKUP_SERVICE BLUETOOTH BUGREPORT CALLS CAMERA CERTIFICATES
        COMMON_CRITERIA_MODE DEBUGGING_FEATURES DEFAULT_SMS DEVICE_IDENTIFIERS DISPLAY
        FACTORY_RESET FUN INPUT_METHODS INSTALL_UNKNOWN_SOURCES KEEP_UNINSTALLED_PACKAGES
        KEYGUARD LOCALE LOCATION LOCK LOCK_CREDENTIALS LOCK_TASK METERED_DATA MICROPHONE
        MOBILE_NETWORK MODIFY_USERS MTE NEARBY_COMMUNICATION NETWORK_LOGGING
        ORGANIZATION_IDENTITY OVERRIDE_APN PACKAGE_STATE PHYSICAL_MEDIA PRINTING PRIVATE_DNS
        PROFILES PROFILE_INTERACTION PROXY QUERY_SYSTEM_UPDATES RESET_PASSWORD
        RESTRICT_PRIVATE_DNS RUNTIME_PERMISSIONS RUN_IN_BACKGROUND SAFE_BOOT SCREEN_CAPTURE
        SCREEN_CONTENT SECURITY_LOGGING SETTINGS SMS STATUS_BAR SUPPORT_MESSAGE
        SUSPEND_PERSONAL_APPS SYSTEM_APPS SYSTEM_DIALOGS SYSTEM_UPDATES TIME USB_DATA_SIGNALLING
        USB_FILE_TRANSFER USERS VPN WALLPAPER WIFI WINDOWS WIPE_DATA""",
    35: """AUDIT_LOGGING CONTENT_PROTECTION MANAGED_SUBSCRIPTIONS BLOCK_UNINSTALL
        CAMERA_TOGGLE MICROPHONE_TOGGLE STORAGE_LIMIT THREAD_NETWORK ASSIST_CONTENT""",
}
DEVICE_POLICY_PI = {"DEVICE_IDENTIFIERS": "imei,serial", "LOCATION": "location",
                    "NETWORK_LOGGING": "network-state", "SECURITY_LOGGING": "device-info"}

# Google Play services / Play Store and Chinese-vendor permissions that matter for privacy.
# Protection levels are as declared by the providing app (not the platform).
OTHER = """
com.google.android.gms.permission.AD_ID | normal | advertising-id | https://support.google.com/googleplay/android-developer/answer/6048248
com.google.android.gms.permission.ACTIVITY_RECOGNITION | normal | sensors | https://developers.google.com/android/reference/com/google/android/gms/location/ActivityRecognitionClient
com.google.android.c2dm.permission.RECEIVE | normal | - | https://firebase.google.com/docs/cloud-messaging/android/client
com.google.android.finsky.permission.BIND_GET_INSTALL_REFERRER_SERVICE | normal | installed-apps | https://developer.android.com/google/play/installreferrer/library
com.google.android.providers.gsf.permission.READ_GSERVICES | normal | device-info | https://developers.google.com/maps/documentation/android-sdk/config
com.android.vending.BILLING | normal | - | https://developer.android.com/google/play/billing/integrate
com.android.vending.CHECK_LICENSE | normal | - | https://developer.android.com/google/play/licensing/setting-up
com.asus.msa.SupplementaryDID.ACCESS | normal | oaid | http://www.msa-alliance.cn/col.jsp?id=120
freemme.permission.msa | normal | oaid | http://www.msa-alliance.cn/col.jsp?id=120
com.huawei.android.launcher.permission.CHANGE_BADGE | normal | - | sdk-apks:jpush.truth.json
com.huawei.android.launcher.permission.READ_SETTINGS | normal | - | https://developer.huawei.com/consumer/cn/doc/development/Corner-Guides/30802
com.huawei.android.launcher.permission.WRITE_SETTINGS | normal | - | https://developer.huawei.com/consumer/cn/doc/development/Corner-Guides/30802
com.hihonor.android.launcher.permission.CHANGE_BADGE | normal | - | sdk-apks:jpush.truth.json
com.vivo.notification.permission.BADGE_ICON | normal | - | sdk-apks:jpush.truth.json
com.oppo.launcher.permission.READ_SETTINGS | normal | - | https://open.oppomobile.com
com.oppo.launcher.permission.WRITE_SETTINGS | normal | - | https://open.oppomobile.com
com.sec.android.provider.badge.permission.READ | normal | - | https://developer.samsung.com
com.sec.android.provider.badge.permission.WRITE | normal | - | https://developer.samsung.com
com.coloros.mcs.permission.RECIEVE_MCS_MESSAGE | normal | - | https://open.oppomobile.com/new/developmentDoc/info?id=11212
com.heytap.mcs.permission.RECIEVE_MCS_MESSAGE | normal | - | https://open.oppomobile.com/new/developmentDoc/info?id=11212
com.meizu.flyme.push.permission.RECEIVE | normal | - | https://open.flyme.cn
com.meizu.c2dm.permission.RECEIVE | normal | - | https://open.flyme.cn
com.huawei.appmarket.service.commondata.permission.GET_COMMON_DATA | normal | installed-apps | https://developer.huawei.com/consumer/cn/doc/development/AppGallery-connect-Guides/appgallerykit-installreferrer-0000001050157306
"""

TC260_SECTION = {
    "calendar": 1, "call-log": 2, "camera": 3, "contacts": 4, "location": 5,
    "microphone": 6, "phone": 7, "body-sensors": 8, "sms": 9, "storage": 10,
}


# Permissions the 2020 TC260 guide does not name (later than it, or absent from its tables):
# mapped to its groups and appendix B by analogy, cited through the `-by-analogy` references
# (rules/references.toml), whose notes say so.
BY_ANALOGY = {
    "ACTIVITY_RECOGNITION", "BODY_SENSORS_BACKGROUND", "MANAGE_EXTERNAL_STORAGE",
    "READ_MEDIA_AUDIO", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO",
    "READ_MEDIA_VISUAL_USER_SELECTED", "REQUEST_IGNORE_BATTERY_OPTIMIZATIONS",
    "SCHEDULE_EXACT_ALARM", "USE_EXACT_ALARM",
}


def entry(name, level, added, deprecated, gs, pis, extra_refs=()):
    full = name if "." in name else f"android.permission.{name}"
    short = full.rsplit(".", 1)[1]
    refs = []
    if full.startswith("android.permission.") or full.startswith("com.android."):
        refs.append(f"android:Manifest.permission#{short}")
    e = {"name": full, "protection_level": level}
    if added is not None:
        e["added_in"] = added
    if deprecated is not None:
        e["deprecated_in"] = deprecated
    analogy = "-by-analogy" if full.startswith("android.permission.") and short in BY_ANALOGY else ""
    if gs.startswith("g:"):
        e["group"] = gs[2:]
        refs.append(f"tc260-pg-2020:5.{TC260_SECTION[gs[2:]]}{analogy}")
    elif gs.startswith("s:"):
        e["special"] = gs[2:]
        refs.append(f"tc260-pg-2020:appendix-B{analogy}")
    e["pi_types"] = [] if pis == "-" else pis.split(",")
    refs.extend(extra_refs)
    e["references"] = refs
    return e


def render(e):
    lines = ["[[permission]]"]
    for k in ("name", "protection_level", "added_in", "deprecated_in", "group", "special",
              "pi_types", "references"):
        if k in e:
            lines.append(f"{k} = {rc.toml_value(e[k])}")
    return "\n".join(lines) + "\n"


def main():
    out = []
    for line in TABLE.strip().splitlines():
        cols = [c.strip() for c in line.split(" | ")]
        name, level, added, dep, gs, pis = cols
        out.append(entry(name, level, int(added), None if dep == "-" else int(dep), gs, pis))
    for api, names in DEVICE_POLICY.items():
        for n in names.split():
            out.append(entry(f"MANAGE_DEVICE_POLICY_{n}", "internal|role", api, None, "-",
                             DEVICE_POLICY_PI.get(n, "-")))
    for line in OTHER.strip().splitlines():
        name, level, pis, ref = [c.strip() for c in line.split(" | ")]
        # Not platform permissions: `added_in` 1 = usable at every API level.
        out.append(entry(name, level, 1, None, "-", pis, (ref,)))
    names = [e["name"] for e in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"duplicate permissions: {sorted(dup)}")
    out.sort(key=lambda e: e["name"])
    head = (
        "# GENERATED by tools/gen_permissions.py. Do not edit: change the table there.\n"
        "# Platform permissions (android.permission.* of Manifest.permission, a few removed\n"
        "# ones old apps still request) and Google/vendor permissions that matter for privacy.\n"
        "# group = TC260 system-permission guide group (regulations-and-sdks.md §2(a)); special =\n"
        "# permission granted in system settings (guide appendix B candidates).\n\n"
    )
    with open(os.path.join(rc.RULES, "permissions.toml"), "w", encoding="utf-8") as f:
        f.write(head + "\n".join(render(e) for e in out))
    print(f"wrote {len(out)} permissions")
    if "--no-validate" not in sys.argv[1:]:
        rc.validate_pack()


if __name__ == "__main__":
    main()
