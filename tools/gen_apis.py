#!/usr/bin/env python3
"""Generate rules/apis.toml from the compact table below.

Columns: id | pi_type | kind | signature | permissions | reference
- kind: method | field | string | content-uri
- signature: smali method reference `Lcls;->name(params)ret`, field `Lcls;->name:Type`,
  the exact const-string, or a content-URI prefix.
- permissions: comma list of NAME, NAME<=MAX (max_sdk) or NAME>=MIN (min_sdk), or -.
  A bare NAME is android.permission.NAME. Alternatives (e.g. coarse/fine location) are
  listed side by side: any of them satisfies the API at that level.
- reference: Android API reference anchor (android:Class#member), vendor docs, or
  regulations-and-sdks.md §2(f).
"""

import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulepack_common as rc  # noqa: E402

TM = "Landroid/telephony/TelephonyManager;"
STR = "Ljava/lang/String;"
LOC = "ACCESS_COARSE_LOCATION,ACCESS_FINE_LOCATION"
PHONE_ID = "READ_PHONE_STATE<=28,READ_PRIVILEGED_PHONE_STATE>=29"
PM = "Landroid/content/pm/PackageManager;"
LM = "Landroid/location/LocationManager;"
CM = "Landroid/content/ClipboardManager;"
FLP = "Lcom/google/android/gms/location/FusedLocationProviderClient;"
TASK = "Lcom/google/android/gms/tasks/Task;"
MARSHMALLOW_IDS = (
    "https://developer.android.com/about/versions/marshmallow/android-6.0-changes#behavior-hardware-id"
)
OREO_SERIAL = "https://developer.android.com/about/versions/oreo/android-8.0-changes#o-pri"

TABLE = f"""
imei-get-device-id | imei | method | {TM}->getDeviceId(){STR} | {PHONE_ID} | android:TelephonyManager#getDeviceId()
imei-get-device-id-slot | imei | method | {TM}->getDeviceId(I){STR} | {PHONE_ID} | android:TelephonyManager#getDeviceId(int)
imei-get-imei | imei | method | {TM}->getImei(){STR} | {PHONE_ID} | android:TelephonyManager#getImei()
imei-get-imei-slot | imei | method | {TM}->getImei(I){STR} | {PHONE_ID} | android:TelephonyManager#getImei(int)
imei-get-meid | imei | method | {TM}->getMeid(){STR} | {PHONE_ID} | android:TelephonyManager#getMeid()
imei-get-meid-slot | imei | method | {TM}->getMeid(I){STR} | {PHONE_ID} | android:TelephonyManager#getMeid(int)
imei-get-type-allocation-code | imei | method | {TM}->getTypeAllocationCode(){STR} | - | android:TelephonyManager#getTypeAllocationCode()
imsi-get-subscriber-id | imsi | method | {TM}->getSubscriberId(){STR} | {PHONE_ID} | android:TelephonyManager#getSubscriberId()
iccid-get-sim-serial-number | iccid | method | {TM}->getSimSerialNumber(){STR} | {PHONE_ID} | android:TelephonyManager#getSimSerialNumber()
iccid-subscription-info-get-icc-id | iccid | method | Landroid/telephony/SubscriptionInfo;->getIccId(){STR} | {PHONE_ID} | android:SubscriptionInfo#getIccId()
iccid-get-active-subscription-info-list | iccid | method | Landroid/telephony/SubscriptionManager;->getActiveSubscriptionInfoList()Ljava/util/List; | READ_PHONE_STATE | android:SubscriptionManager#getActiveSubscriptionInfoList()
iccid-get-active-subscription-info | iccid | method | Landroid/telephony/SubscriptionManager;->getActiveSubscriptionInfo(I)Landroid/telephony/SubscriptionInfo; | READ_PHONE_STATE | android:SubscriptionManager#getActiveSubscriptionInfo(int)
phone-number-get-line1-number | phone-number | method | {TM}->getLine1Number(){STR} | READ_PHONE_STATE<=29,READ_PHONE_NUMBERS>=26,READ_SMS | android:TelephonyManager#getLine1Number()
phone-number-get-voice-mail-number | phone-number | method | {TM}->getVoiceMailNumber(){STR} | READ_PHONE_STATE | android:TelephonyManager#getVoiceMailNumber()
phone-number-subscription-info-get-number | phone-number | method | Landroid/telephony/SubscriptionInfo;->getNumber(){STR} | READ_PHONE_STATE<=29,READ_PHONE_NUMBERS>=30 | android:SubscriptionInfo#getNumber()
phone-number-subscription-manager-get-phone-number | phone-number | method | Landroid/telephony/SubscriptionManager;->getPhoneNumber(I){STR} | READ_PHONE_NUMBERS | android:SubscriptionManager#getPhoneNumber(int)
cell-get-cell-location | cell-info | method | {TM}->getCellLocation()Landroid/telephony/CellLocation; | ACCESS_COARSE_LOCATION<=28,ACCESS_FINE_LOCATION | android:TelephonyManager#getCellLocation()
cell-get-all-cell-info | cell-info | method | {TM}->getAllCellInfo()Ljava/util/List; | ACCESS_COARSE_LOCATION<=28,ACCESS_FINE_LOCATION | android:TelephonyManager#getAllCellInfo()
cell-get-neighboring-cell-info | cell-info | method | {TM}->getNeighboringCellInfo()Ljava/util/List; | ACCESS_COARSE_LOCATION<=28 | android:TelephonyManager#getNeighboringCellInfo()
cell-request-cell-info-update | cell-info | method | {TM}->requestCellInfoUpdate(Ljava/util/concurrent/Executor;Landroid/telephony/TelephonyManager$CellInfoCallback;)V | ACCESS_FINE_LOCATION | android:TelephonyManager#requestCellInfoUpdate
cell-get-service-state | cell-info | method | {TM}->getServiceState()Landroid/telephony/ServiceState; | READ_PHONE_STATE,ACCESS_FINE_LOCATION>=29 | android:TelephonyManager#getServiceState()
cell-telephony-listen | cell-info | method | {TM}->listen(Landroid/telephony/PhoneStateListener;I)V | READ_PHONE_STATE,ACCESS_FINE_LOCATION | android:TelephonyManager#listen
device-get-network-operator | device-info | method | {TM}->getNetworkOperator(){STR} | - | android:TelephonyManager#getNetworkOperator()
device-get-sim-operator | device-info | method | {TM}->getSimOperator(){STR} | - | android:TelephonyManager#getSimOperator()
device-get-call-state | device-info | method | {TM}->getCallState()I | READ_PHONE_STATE>=31 | android:TelephonyManager#getCallState()
serial-build-get-serial | serial | method | Landroid/os/Build;->getSerial(){STR} | READ_PHONE_STATE<=28,READ_PRIVILEGED_PHONE_STATE>=29 | android:Build#getSerial()
serial-build-serial-field | serial | field | Landroid/os/Build;->SERIAL:{STR} | - | android:Build#SERIAL
serial-ro-serialno | serial | string | ro.serialno | - | regulations-and-sdks.md#2(f)
serial-ro-boot-serialno | serial | string | ro.boot.serialno | - | regulations-and-sdks.md#2(f)
android-id-secure-get-string | android-id | method | Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;{STR}){STR} | - | android:Settings.Secure#getString
android-id-system-get-string | android-id | method | Landroid/provider/Settings$System;->getString(Landroid/content/ContentResolver;{STR}){STR} | - | android:Settings.System#getString
android-id-string | android-id | string | android_id | - | android:Settings.Secure#ANDROID_ID
mac-wifi-info-get-mac-address | mac | method | Landroid/net/wifi/WifiInfo;->getMacAddress(){STR} | ACCESS_WIFI_STATE | android:WifiInfo#getMacAddress()
mac-network-interface-get-hardware-address | mac | method | Ljava/net/NetworkInterface;->getHardwareAddress()[B | - | java:NetworkInterface#getHardwareAddress()
mac-sys-class-net-wlan0 | mac | string | /sys/class/net/wlan0/address | - | regulations-and-sdks.md#2(f)
mac-sys-class-net-eth0 | mac | string | /sys/class/net/eth0/address | - | regulations-and-sdks.md#2(f)
mac-bluetooth-adapter-get-address | mac | method | Landroid/bluetooth/BluetoothAdapter;->getAddress(){STR} | BLUETOOTH<=30,BLUETOOTH_CONNECT>=31,LOCAL_MAC_ADDRESS>=23 | android:BluetoothAdapter#getAddress()
mac-bluetooth-address-setting | mac | string | bluetooth_address | - | regulations-and-sdks.md#2(f)
bluetooth-get-bonded-devices | bluetooth | method | Landroid/bluetooth/BluetoothAdapter;->getBondedDevices()Ljava/util/Set; | BLUETOOTH<=30,BLUETOOTH_CONNECT>=31 | android:BluetoothAdapter#getBondedDevices()
bluetooth-start-discovery | bluetooth | method | Landroid/bluetooth/BluetoothAdapter;->startDiscovery()Z | BLUETOOTH_ADMIN<=30,BLUETOOTH_SCAN>=31 | android:BluetoothAdapter#startDiscovery()
bluetooth-device-get-address | bluetooth | method | Landroid/bluetooth/BluetoothDevice;->getAddress(){STR} | - | android:BluetoothDevice#getAddress()
bluetooth-adapter-get-name | bluetooth | method | Landroid/bluetooth/BluetoothAdapter;->getName(){STR} | BLUETOOTH<=30,BLUETOOTH_CONNECT>=31 | android:BluetoothAdapter#getName()
wifi-info-get-bssid | wifi-info | method | Landroid/net/wifi/WifiInfo;->getBSSID(){STR} | ACCESS_WIFI_STATE,ACCESS_COARSE_LOCATION<=28,ACCESS_FINE_LOCATION | android:WifiInfo#getBSSID()
wifi-info-get-ssid | wifi-info | method | Landroid/net/wifi/WifiInfo;->getSSID(){STR} | ACCESS_WIFI_STATE,ACCESS_COARSE_LOCATION<=28,ACCESS_FINE_LOCATION | android:WifiInfo#getSSID()
wifi-get-scan-results | wifi-info | method | Landroid/net/wifi/WifiManager;->getScanResults()Ljava/util/List; | ACCESS_WIFI_STATE,ACCESS_COARSE_LOCATION<=28,ACCESS_FINE_LOCATION | android:WifiManager#getScanResults()
wifi-get-connection-info | wifi-info | method | Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo; | ACCESS_WIFI_STATE | android:WifiManager#getConnectionInfo()
wifi-get-configured-networks | wifi-info | method | Landroid/net/wifi/WifiManager;->getConfiguredNetworks()Ljava/util/List; | ACCESS_WIFI_STATE,ACCESS_FINE_LOCATION>=29 | android:WifiManager#getConfiguredNetworks()
wifi-start-scan | wifi-info | method | Landroid/net/wifi/WifiManager;->startScan()Z | CHANGE_WIFI_STATE | android:WifiManager#startScan()
wifi-get-dhcp-info | network-state | method | Landroid/net/wifi/WifiManager;->getDhcpInfo()Landroid/net/DhcpInfo; | ACCESS_WIFI_STATE | android:WifiManager#getDhcpInfo()
network-wifi-info-get-ip-address | network-state | method | Landroid/net/wifi/WifiInfo;->getIpAddress()I | ACCESS_WIFI_STATE | android:WifiInfo#getIpAddress()
network-get-active-network-info | network-state | method | Landroid/net/ConnectivityManager;->getActiveNetworkInfo()Landroid/net/NetworkInfo; | ACCESS_NETWORK_STATE | android:ConnectivityManager#getActiveNetworkInfo()
network-get-network-interfaces | network-state | method | Ljava/net/NetworkInterface;->getNetworkInterfaces()Ljava/util/Enumeration; | - | java:NetworkInterface#getNetworkInterfaces()
apps-get-installed-packages | installed-apps | method | {PM}->getInstalledPackages(I)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#getInstalledPackages(int)
apps-get-installed-packages-flags | installed-apps | method | {PM}->getInstalledPackages(Landroid/content/pm/PackageManager$PackageInfoFlags;)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#getInstalledPackages(PackageInfoFlags)
apps-get-installed-applications | installed-apps | method | {PM}->getInstalledApplications(I)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#getInstalledApplications(int)
apps-get-installed-applications-flags | installed-apps | method | {PM}->getInstalledApplications(Landroid/content/pm/PackageManager$ApplicationInfoFlags;)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#getInstalledApplications(ApplicationInfoFlags)
apps-query-intent-activities | installed-apps | method | {PM}->queryIntentActivities(Landroid/content/Intent;I)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#queryIntentActivities
apps-get-packages-holding-permissions | installed-apps | method | {PM}->getPackagesHoldingPermissions([{STR}I)Ljava/util/List; | QUERY_ALL_PACKAGES>=30 | android:PackageManager#getPackagesHoldingPermissions
apps-pm-list-packages | installed-apps | string | pm list packages | - | regulations-and-sdks.md#2(f)
running-get-running-app-processes | running-apps | method | Landroid/app/ActivityManager;->getRunningAppProcesses()Ljava/util/List; | - | android:ActivityManager#getRunningAppProcesses()
running-get-running-tasks | running-apps | method | Landroid/app/ActivityManager;->getRunningTasks(I)Ljava/util/List; | GET_TASKS<=20 | android:ActivityManager#getRunningTasks(int)
running-get-recent-tasks | running-apps | method | Landroid/app/ActivityManager;->getRecentTasks(II)Ljava/util/List; | GET_TASKS<=20 | android:ActivityManager#getRecentTasks(int, int)
running-get-running-services | running-apps | method | Landroid/app/ActivityManager;->getRunningServices(I)Ljava/util/List; | - | android:ActivityManager#getRunningServices(int)
running-query-usage-stats | running-apps | method | Landroid/app/usage/UsageStatsManager;->queryUsageStats(IJJ)Ljava/util/List; | PACKAGE_USAGE_STATS | android:UsageStatsManager#queryUsageStats
running-query-events | running-apps | method | Landroid/app/usage/UsageStatsManager;->queryEvents(JJ)Landroid/app/usage/UsageEvents; | PACKAGE_USAGE_STATS | android:UsageStatsManager#queryEvents
running-query-and-aggregate-usage-stats | running-apps | method | Landroid/app/usage/UsageStatsManager;->queryAndAggregateUsageStats(JJ)Ljava/util/Map; | PACKAGE_USAGE_STATS | android:UsageStatsManager#queryAndAggregateUsageStats
location-get-last-known-location | location | method | {LM}->getLastKnownLocation({STR})Landroid/location/Location; | {LOC} | android:LocationManager#getLastKnownLocation
location-request-location-updates | location | method | {LM}->requestLocationUpdates({STR}JFLandroid/location/LocationListener;)V | {LOC} | android:LocationManager#requestLocationUpdates
location-request-location-updates-looper | location | method | {LM}->requestLocationUpdates({STR}JFLandroid/location/LocationListener;Landroid/os/Looper;)V | {LOC} | android:LocationManager#requestLocationUpdates
location-request-location-updates-criteria | location | method | {LM}->requestLocationUpdates(JFLandroid/location/Criteria;Landroid/location/LocationListener;Landroid/os/Looper;)V | {LOC} | android:LocationManager#requestLocationUpdates
location-request-location-updates-intent | location | method | {LM}->requestLocationUpdates({STR}JFLandroid/app/PendingIntent;)V | {LOC} | android:LocationManager#requestLocationUpdates
location-request-single-update | location | method | {LM}->requestSingleUpdate({STR}Landroid/location/LocationListener;Landroid/os/Looper;)V | {LOC} | android:LocationManager#requestSingleUpdate
location-get-current-location | location | method | {LM}->getCurrentLocation({STR}Landroid/os/CancellationSignal;Ljava/util/concurrent/Executor;Ljava/util/function/Consumer;)V | {LOC} | android:LocationManager#getCurrentLocation
location-fused-get-last-location | location | method | {FLP}->getLastLocation(){TASK} | {LOC} | https://developers.google.com/android/reference/com/google/android/gms/location/FusedLocationProviderClient
location-fused-request-location-updates | location | method | {FLP}->requestLocationUpdates(Lcom/google/android/gms/location/LocationRequest;Lcom/google/android/gms/location/LocationCallback;Landroid/os/Looper;){TASK} | {LOC} | https://developers.google.com/android/reference/com/google/android/gms/location/FusedLocationProviderClient
location-fused-get-current-location | location | method | {FLP}->getCurrentLocation(ILcom/google/android/gms/tasks/CancellationToken;){TASK} | {LOC} | https://developers.google.com/android/reference/com/google/android/gms/location/FusedLocationProviderClient
location-amap-start-location | location | method | Lcom/amap/api/location/AMapLocationClient;->startLocation()V | {LOC} | https://lbs.amap.com/api/android-location-sdk/guide/android-location/getlocation
location-amap-get-last-known-location | location | method | Lcom/amap/api/location/AMapLocationClient;->getLastKnownLocation()Lcom/amap/api/location/AMapLocation; | {LOC} | https://lbs.amap.com/api/android-location-sdk/guide/android-location/getlocation
location-baidu-location-client-start | location | method | Lcom/baidu/location/LocationClient;->start()V | {LOC} | https://lbsyun.baidu.com/index.php?title=android-locsdk/guide/get-location/latlng
location-baidu-request-location | location | method | Lcom/baidu/location/LocationClient;->requestLocation()I | {LOC} | https://lbsyun.baidu.com/index.php?title=android-locsdk/guide/get-location/latlng
location-tencent-request-location-updates | location | method | Lcom/tencent/map/geolocation/TencentLocationManager;->requestLocationUpdates(Lcom/tencent/map/geolocation/TencentLocationRequest;Lcom/tencent/map/geolocation/TencentLocationListener;)I | {LOC} | https://lbs.qq.com/mobile/androidLocationSDK/androidGeoGuide/androidGeoOverview
clipboard-get-primary-clip | clipboard | method | {CM}->getPrimaryClip()Landroid/content/ClipData; | - | android:ClipboardManager#getPrimaryClip()
clipboard-get-text | clipboard | method | {CM}->getText()Ljava/lang/CharSequence; | - | android:ClipboardManager#getText()
clipboard-text-get-text | clipboard | method | Landroid/text/ClipboardManager;->getText()Ljava/lang/CharSequence; | - | android:android.text.ClipboardManager#getText()
clipboard-has-primary-clip | clipboard | method | {CM}->hasPrimaryClip()Z | - | android:ClipboardManager#hasPrimaryClip()
clipboard-get-primary-clip-description | clipboard | method | {CM}->getPrimaryClipDescription()Landroid/content/ClipDescription; | - | android:ClipboardManager#getPrimaryClipDescription()
clipboard-add-primary-clip-changed-listener | clipboard | method | {CM}->addPrimaryClipChangedListener(Landroid/content/ClipboardManager$OnPrimaryClipChangedListener;)V | - | android:ClipboardManager#addPrimaryClipChangedListener
sms-uri | sms | content-uri | content://sms | READ_SMS | android:Telephony.Sms
mms-uri | sms | content-uri | content://mms | READ_SMS | android:Telephony.Mms
mms-sms-uri | sms | content-uri | content://mms-sms | READ_SMS | android:Telephony.MmsSms
sms-telephony-sms-content-uri | sms | field | Landroid/provider/Telephony$Sms;->CONTENT_URI:Landroid/net/Uri; | READ_SMS | android:Telephony.Sms#CONTENT_URI
sms-telephony-sms-inbox-content-uri | sms | field | Landroid/provider/Telephony$Sms$Inbox;->CONTENT_URI:Landroid/net/Uri; | READ_SMS | android:Telephony.Sms.Inbox#CONTENT_URI
sms-telephony-mms-content-uri | sms | field | Landroid/provider/Telephony$Mms;->CONTENT_URI:Landroid/net/Uri; | READ_SMS | android:Telephony.Mms#CONTENT_URI
sms-send-text-message | sms | method | Landroid/telephony/SmsManager;->sendTextMessage({STR}{STR}{STR}Landroid/app/PendingIntent;Landroid/app/PendingIntent;)V | SEND_SMS | android:SmsManager#sendTextMessage
sms-send-multipart-text-message | sms | method | Landroid/telephony/SmsManager;->sendMultipartTextMessage({STR}{STR}Ljava/util/ArrayList;Ljava/util/ArrayList;Ljava/util/ArrayList;)V | SEND_SMS | android:SmsManager#sendMultipartTextMessage
sms-send-data-message | sms | method | Landroid/telephony/SmsManager;->sendDataMessage({STR}{STR}S[BLandroid/app/PendingIntent;Landroid/app/PendingIntent;)V | SEND_SMS | android:SmsManager#sendDataMessage
contacts-uri | contacts | content-uri | content://com.android.contacts | READ_CONTACTS | android:ContactsContract#AUTHORITY
contacts-legacy-uri | contacts | content-uri | content://contacts | READ_CONTACTS | android:Contacts.People
contacts-sim-adn-uri | contacts | content-uri | content://icc/adn | READ_CONTACTS | regulations-and-sdks.md#2(f)
contacts-contacts-content-uri | contacts | field | Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:Landroid/net/Uri; | READ_CONTACTS | android:ContactsContract.Contacts#CONTENT_URI
contacts-phone-content-uri | contacts | field | Landroid/provider/ContactsContract$CommonDataKinds$Phone;->CONTENT_URI:Landroid/net/Uri; | READ_CONTACTS | android:ContactsContract.CommonDataKinds.Phone#CONTENT_URI
contacts-email-content-uri | contacts | field | Landroid/provider/ContactsContract$CommonDataKinds$Email;->CONTENT_URI:Landroid/net/Uri; | READ_CONTACTS | android:ContactsContract.CommonDataKinds.Email#CONTENT_URI
contacts-raw-contacts-content-uri | contacts | field | Landroid/provider/ContactsContract$RawContacts;->CONTENT_URI:Landroid/net/Uri; | READ_CONTACTS | android:ContactsContract.RawContacts#CONTENT_URI
contacts-data-content-uri | contacts | field | Landroid/provider/ContactsContract$Data;->CONTENT_URI:Landroid/net/Uri; | READ_CONTACTS | android:ContactsContract.Data#CONTENT_URI
call-log-uri | call-log | content-uri | content://call_log | READ_CALL_LOG | android:CallLog#AUTHORITY
call-log-calls-content-uri | call-log | field | Landroid/provider/CallLog$Calls;->CONTENT_URI:Landroid/net/Uri; | READ_CALL_LOG | android:CallLog.Calls#CONTENT_URI
calendar-uri | calendar | content-uri | content://com.android.calendar | READ_CALENDAR | android:CalendarContract#AUTHORITY
calendar-events-content-uri | calendar | field | Landroid/provider/CalendarContract$Events;->CONTENT_URI:Landroid/net/Uri; | READ_CALENDAR | android:CalendarContract.Events#CONTENT_URI
calendar-calendars-content-uri | calendar | field | Landroid/provider/CalendarContract$Calendars;->CONTENT_URI:Landroid/net/Uri; | READ_CALENDAR | android:CalendarContract.Calendars#CONTENT_URI
calendar-reminders-content-uri | calendar | field | Landroid/provider/CalendarContract$Reminders;->CONTENT_URI:Landroid/net/Uri; | READ_CALENDAR | android:CalendarContract.Reminders#CONTENT_URI
media-images-uri | media | content-uri | content://media/external/images | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_IMAGES>=33 | android:MediaStore.Images.Media#EXTERNAL_CONTENT_URI
media-video-uri | media | content-uri | content://media/external/video | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_VIDEO>=33 | android:MediaStore.Video.Media#EXTERNAL_CONTENT_URI
media-audio-uri | media | content-uri | content://media/external/audio | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_AUDIO>=33 | android:MediaStore.Audio.Media#EXTERNAL_CONTENT_URI
media-images-external-content-uri | media | field | Landroid/provider/MediaStore$Images$Media;->EXTERNAL_CONTENT_URI:Landroid/net/Uri; | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_IMAGES>=33 | android:MediaStore.Images.Media#EXTERNAL_CONTENT_URI
media-video-external-content-uri | media | field | Landroid/provider/MediaStore$Video$Media;->EXTERNAL_CONTENT_URI:Landroid/net/Uri; | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_VIDEO>=33 | android:MediaStore.Video.Media#EXTERNAL_CONTENT_URI
media-audio-external-content-uri | media | field | Landroid/provider/MediaStore$Audio$Media;->EXTERNAL_CONTENT_URI:Landroid/net/Uri; | READ_EXTERNAL_STORAGE<=32,READ_MEDIA_AUDIO>=33 | android:MediaStore.Audio.Media#EXTERNAL_CONTENT_URI
media-files-get-content-uri | media | method | Landroid/provider/MediaStore$Files;->getContentUri({STR})Landroid/net/Uri; | READ_EXTERNAL_STORAGE<=32 | android:MediaStore.Files#getContentUri
media-screen-capture-intent | media | method | Landroid/media/projection/MediaProjectionManager;->createScreenCaptureIntent()Landroid/content/Intent; | - | android:MediaProjectionManager#createScreenCaptureIntent()
accounts-get-accounts | accounts | method | Landroid/accounts/AccountManager;->getAccounts()[Landroid/accounts/Account; | GET_ACCOUNTS<=25 | android:AccountManager#getAccounts()
accounts-get-accounts-by-type | accounts | method | Landroid/accounts/AccountManager;->getAccountsByType({STR})[Landroid/accounts/Account; | GET_ACCOUNTS<=25 | android:AccountManager#getAccountsByType
sensors-register-listener | sensors | method | Landroid/hardware/SensorManager;->registerListener(Landroid/hardware/SensorEventListener;Landroid/hardware/Sensor;I)Z | - | android:SensorManager#registerListener
sensors-register-listener-latency | sensors | method | Landroid/hardware/SensorManager;->registerListener(Landroid/hardware/SensorEventListener;Landroid/hardware/Sensor;II)Z | - | android:SensorManager#registerListener
sensors-get-sensor-list | sensors | method | Landroid/hardware/SensorManager;->getSensorList(I)Ljava/util/List; | - | android:SensorManager#getSensorList
sensors-get-default-sensor | sensors | method | Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor; | - | android:SensorManager#getDefaultSensor(int)
microphone-audio-record-init | microphone | method | Landroid/media/AudioRecord;-><init>(IIIII)V | RECORD_AUDIO | android:AudioRecord#AudioRecord
microphone-audio-record-start | microphone | method | Landroid/media/AudioRecord;->startRecording()V | RECORD_AUDIO | android:AudioRecord#startRecording()
microphone-media-recorder-set-audio-source | microphone | method | Landroid/media/MediaRecorder;->setAudioSource(I)V | RECORD_AUDIO | android:MediaRecorder#setAudioSource
microphone-speech-recognizer-start-listening | microphone | method | Landroid/speech/SpeechRecognizer;->startListening(Landroid/content/Intent;)V | RECORD_AUDIO | android:SpeechRecognizer#startListening
camera-open | camera | method | Landroid/hardware/Camera;->open()Landroid/hardware/Camera; | CAMERA | android:Camera#open()
camera-open-id | camera | method | Landroid/hardware/Camera;->open(I)Landroid/hardware/Camera; | CAMERA | android:Camera#open(int)
camera2-open-camera | camera | method | Landroid/hardware/camera2/CameraManager;->openCamera({STR}Landroid/hardware/camera2/CameraDevice$StateCallback;Landroid/os/Handler;)V | CAMERA | android:CameraManager#openCamera
camera2-open-camera-executor | camera | method | Landroid/hardware/camera2/CameraManager;->openCamera({STR}Ljava/util/concurrent/Executor;Landroid/hardware/camera2/CameraDevice$StateCallback;)V | CAMERA | android:CameraManager#openCamera
camerax-bind-to-lifecycle | camera | method | Landroidx/camera/lifecycle/ProcessCameraProvider;->bindToLifecycle(Landroidx/lifecycle/LifecycleOwner;Landroidx/camera/core/CameraSelector;[Landroidx/camera/core/UseCase;)Landroidx/camera/core/Camera; | CAMERA | https://developer.android.com/reference/androidx/camera/lifecycle/ProcessCameraProvider
camera-media-recorder-set-video-source | camera | method | Landroid/media/MediaRecorder;->setVideoSource(I)V | CAMERA | android:MediaRecorder#setVideoSource
adid-gms-get-advertising-id-info | advertising-id | method | Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;->getAdvertisingIdInfo(Landroid/content/Context;)Lcom/google/android/gms/ads/identifier/AdvertisingIdClient$Info; | com.google.android.gms.permission.AD_ID>=33 | https://developers.google.com/android/reference/com/google/android/gms/ads/identifier/AdvertisingIdClient
adid-gms-info-get-id | advertising-id | method | Lcom/google/android/gms/ads/identifier/AdvertisingIdClient$Info;->getId(){STR} | com.google.android.gms.permission.AD_ID>=33 | https://developers.google.com/android/reference/com/google/android/gms/ads/identifier/AdvertisingIdClient.Info
adid-androidx-get-advertising-id-info | advertising-id | method | Landroidx/ads/identifier/AdvertisingIdClient;->getAdvertisingIdInfo(Landroid/content/Context;)Lcom/google/common/util/concurrent/ListenableFuture; | com.google.android.gms.permission.AD_ID>=33 | https://developer.android.com/reference/androidx/ads/identifier/AdvertisingIdClient
oaid-huawei-get-advertising-id-info | oaid | method | Lcom/huawei/hms/ads/identifier/AdvertisingIdClient;->getAdvertisingIdInfo(Landroid/content/Context;)Lcom/huawei/hms/ads/identifier/AdvertisingIdClient$Info; | - | https://developer.huawei.com/consumer/cn/doc/development/HMSCore-Guides/identifier-service-obtaining-oaid-sdk-0000001050064988
oaid-msa-init-sdk | oaid | method | Lcom/bun/miitmdid/core/MdidSdkHelper;->InitSdk(Landroid/content/Context;ZLcom/bun/miitmdid/interfaces/IIdentifierListener;)I | - | http://www.msa-alliance.cn/col.jsp?id=120
oaid-msa-id-supplier-get-oaid | oaid | method | Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID(){STR} | - | http://www.msa-alliance.cn/col.jsp?id=120
oaid-msa-legacy-id-supplier-get-oaid | oaid | method | Lcom/bun/supplier/IdSupplier;->getOAID(){STR} | - | regulations-and-sdks.md#2(f)
oaid-huawei-opendevice-action | oaid | string | com.uodis.opendevice.OPENIDS_SERVICE | - | https://developer.huawei.com/consumer/cn/doc/development/HMSCore-Guides/identifier-service-obtaining-oaid-sdk-0000001050064988
oaid-vivo-id-provider | oaid | content-uri | content://com.vivo.vms.IdProvider/IdentifierId | - | http://www.msa-alliance.cn/col.jsp?id=120
"""


# APIs that read personal information only with a given argument: a call site counts only when
# its method also loads this string (Settings.Secure.getString(resolver, "android_id")).
WITH_STRING = {
    "android-id-secure-get-string": ("android_id", None),
    "android-id-system-get-string": ("android_id", None),
    "apps-query-intent-activities": (
        "android.intent.category.LAUNCHER",
        "# Only a query for launcher activities lists the installed apps; a query for one intent asks\n"
        "# which app handles it.",
    ),
}

# Values the platform blanks (a constant such as 02:00:00:00:00:00 or "unknown") from a device
# API level or for apps from a target API level on: a call there is code, not collection.
BLANKED = {
    "mac-wifi-info-get-mac-address": ("blanked_from_device_sdk", 23, MARSHMALLOW_IDS),
    "mac-bluetooth-adapter-get-address": ("blanked_from_device_sdk", 23, MARSHMALLOW_IDS),
    "serial-build-serial-field": ("blanked_from_target_sdk", 26, OREO_SERIAL),
}

# APIs that use what a permission guards but give the app no personal information: sending an
# SMS uses SEND_SMS and reads no message. They count towards the permission's use, not as
# collection.
COLLECTS_NOTHING = {
    "sms-send-text-message", "sms-send-multipart-text-message", "sms-send-data-message",
}

# Permissions that only widen what a call sees: without QUERY_ALL_PACKAGES from API 30 on,
# package visibility filters the list but the call still returns the visible apps.
FILTERS = {"android.permission.QUERY_ALL_PACKAGES"}


def perms(spec):
    out = []
    if spec == "-":
        return out
    for p in spec.split(","):
        m = re.match(r"^([A-Za-z0-9_.]+)(?:(<=|>=)(\d+))?$", p.strip())
        if not m:
            sys.exit(f"bad permission spec {p!r}")
        name = m.group(1)
        if "." not in name:
            name = f"android.permission.{name}"
        d = {"name": name}
        if m.group(2) == "<=":
            d["max_sdk"] = int(m.group(3))
        elif m.group(2) == ">=":
            d["min_sdk"] = int(m.group(3))
        out.append(d)
    return out


def inline(d):
    return "{ " + ", ".join(f"{k} = {rc.toml_value(v)}" for k, v in d.items()) + " }"


def main():
    out = []
    seen = set()
    for line in TABLE.strip().splitlines():
        cols = [c.strip() for c in line.split(" | ")]
        if len(cols) != 6:
            sys.exit(f"bad row: {line}")
        aid, pi, kind, sig, pspec, ref = cols
        if aid in seen:
            sys.exit(f"duplicate id {aid}")
        seen.add(aid)
        lines = ["[[api]]", f"id = {rc.toml_value(aid)}", f"pi_type = {rc.toml_value(pi)}",
                 f"kind = {rc.toml_value(kind)}", f"signature = {rc.toml_value(sig)}"]
        refs = [ref]
        if aid in WITH_STRING:
            value, comment = WITH_STRING[aid]
            if comment:
                lines.append(comment)
            lines.append(f"with_string = {rc.toml_value(value)}")
        if aid in BLANKED:
            key, level, why = BLANKED[aid]
            lines.append(f"{key} = {level}")
            refs.append(why)
        if aid in COLLECTS_NOTHING:
            lines.append("collects = false")
        ps = perms(pspec)
        for p in ps:
            if p["name"] in FILTERS:
                p["filters"] = True
        if ps:
            lines.append("permissions = [\n" + "".join(f"  {inline(p)},\n" for p in ps) + "]")
        lines.append(f"references = {rc.toml_value(refs)}")
        out.append("\n".join(lines) + "\n")
    head = (
        "# GENERATED by tools/gen_apis.py. Do not edit: change the table there.\n"
        "# Sensitive APIs (smali references), strings and content URIs, with the personal\n"
        "# information they return and the permissions they need by API level (alternatives\n"
        "# side by side: any one of them satisfies the API at that level).\n\n"
    )
    with open(os.path.join(rc.RULES, "apis.toml"), "w", encoding="utf-8") as f:
        f.write(head + "\n".join(out))
    print(f"wrote {len(out)} APIs")
    if "--no-validate" not in sys.argv[1:]:
        rc.validate_pack()


if __name__ == "__main__":
    main()
