"""The root user's "My security credentials": /account/security-credentials and the pages it opens
(assign / enable / cancel / remove MFA, create / activate / deactivate / delete access keys)."""

import time
import urllib.parse

import pyotp
import pytest
from django.test import Client

from credentials.models import VirtualMFADevice
from iamconsole import middleware
from iamconsole.backends import get_backend
from users.models import IAMUser
from users.views_credentials import otpauth_uri, qr_code_svg

PAGE = "/account/security-credentials"
SERIAL = "arn:aws:iam::123456789012:mfa/root-phone"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


@pytest.fixture
def totp(iam):
    """A device created as the assign page creates it: unassigned, its seed known only to the app."""
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="root-phone")["VirtualMFADevice"]
    return pyotp.TOTP(device["Base32StringSeed"].decode())


def codes(totp) -> dict:
    now = time.time()
    return {"code1": totp.at(now - 30), "code2": totp.at(now)}


def enable(iam, totp, serial=SERIAL):
    pair = codes(totp)
    iam.enable_root_mfa_device(
        SerialNumber=serial, AuthenticationCode1=pair["code1"], AuthenticationCode2=pair["code2"]
    )


def root_serials(iam) -> list[str]:
    return [device["SerialNumber"] for device in iam.list_root_mfa_devices()["MFADevices"]]


def root_keys(iam) -> dict[str, str]:
    return {key["AccessKeyId"]: key["Status"] for key in iam.list_access_keys()["AccessKeyMetadata"]}


# --- the page ------------------------------------------------------------------------------------


def test_the_page_lists_the_roots_devices_and_keys(signed_in, iam, totp):
    enable(iam, totp)
    key = iam.create_access_key()["AccessKey"]

    response = signed_in.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>My security credentials" in html
    assert 'Multi-factor authentication (MFA) <span class="counter">(1)</span>' in html
    assert SERIAL in html
    assert key["AccessKeyId"] in html and key["SecretAccessKey"] not in html
    assert "Deactivate" in html and "/account/security-credentials/access-keys/create" in html
    assert "arn:aws:iam::123456789012:root" in html


def test_an_empty_page_says_what_to_do(signed_in, iam):
    html = signed_in.get(PAGE).content.decode()

    assert "No MFA devices" in html and "No access keys" in html
    assert 'href="/account/security-credentials/mfa/assign"' in html


def test_a_users_devices_and_unassigned_ones_are_not_the_roots(signed_in, iam, totp):
    iam.create_user(UserName="alice")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
    pair = codes(totp)
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=SERIAL,
        AuthenticationCode1=pair["code1"],
        AuthenticationCode2=pair["code2"],
    )

    html = signed_in.get(PAGE).content.decode()

    assert SERIAL not in html and "mfa/spare" not in html
    assert "No MFA devices" in html


def test_htmx_gets_the_credentials_partial(signed_in, iam):
    response = signed_in.get(PAGE, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div class="credentials-tab root-credentials" id="root-credentials">')
    assert "<html" not in html


def test_the_page_needs_sign_in_and_get(signed_in):
    assert signed_in.post(PAGE).status_code == 405
    signed_in.logout()
    assert signed_in.get(PAGE)["Location"] == f"/login?next={PAGE}"


def test_the_query_budget_does_not_grow_with_keys_and_devices(signed_in, iam, django_assert_max_num_queries):
    iam.create_access_key()  # keys are read one by one (last used), at most 2
    iam.create_access_key()
    with django_assert_max_num_queries(20) as few:
        signed_in.get(PAGE)
    for name in ("a", "b", "c"):
        out = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        enable(iam, pyotp.TOTP(out["Base32StringSeed"].decode()), serial=out["SerialNumber"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(PAGE)


def test_the_top_bar_links_to_the_page(signed_in):
    html = signed_in.get("/").content.decode()

    assert '<a class="who" href="/account/security-credentials"' in html


def test_the_dashboard_recommendation_links_here_and_becomes_a_tick_after_enrolment(signed_in, iam):
    html = signed_in.get("/").content.decode()
    assert '<a class="status warn" href="/account/security-credentials">! Add MFA for root user</a>' in html

    step1 = signed_in.post("/account/security-credentials/mfa/assign", {"device_name": "root-phone"})
    seed = pyotp.TOTP(step1.context["seed"])
    signed_in.post("/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **codes(seed)})

    html = signed_in.get("/").content.decode()
    assert "✓ Root user has MFA" in html and "Add MFA for root user" not in html


def test_an_iam_user_principal_gets_403(client, account, iam, monkeypatch):
    iam.create_user(UserName="alice")
    alice = get_backend(account, IAMUser.objects.get(name="alice"))
    # The console binds operators to the root; bind this request to an IAM user instead.
    monkeypatch.setattr(middleware, "get_backend", lambda *args, **kwargs: alice)
    client.force_login(account.root_operator)

    assert client.get(PAGE).status_code == 403
    assert (
        client.post("/account/security-credentials/mfa/remove", {"serial_number": SERIAL}).status_code == 403
    )


# --- assign MFA device ---------------------------------------------------------------------------


def test_step_one_asks_for_the_device_name(signed_in):
    response = signed_in.get("/account/security-credentials/mfa/assign")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Select MFA device</h1>" in html
    assert '<label for="id_device_name">Device name</label>' in html


def test_the_name_post_creates_an_unassigned_device_and_shows_its_qr_code_once(signed_in, iam, account):
    response = signed_in.post("/account/security-credentials/mfa/assign", {"device_name": "root-phone"})

    html = response.content.decode()
    seed = response.context["seed"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert qr_code_svg(otpauth_uri("root-phone", account, seed)) in html
    assert "Show secret key" in html and seed in html
    assert f'name="serial_number" value="{SERIAL}"' in html
    assert "MFA code 1" in html and "MFA code 2" in html
    assert 'action="/account/security-credentials/mfa/enable"' in html
    assert root_serials(iam) == []  # created, not assigned yet
    assert seed not in str(dict(signed_in.session))
    assert seed not in signed_in.get(PAGE).content.decode()


@pytest.mark.parametrize("name", ["", "has space", "x" * 129])
def test_an_invalid_name_is_refused_on_the_field(signed_in, iam, name):
    response = signed_in.post("/account/security-credentials/mfa/assign", {"device_name": name})

    assert response.status_code == 200
    assert response.context["form"].errors["device_name"]
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_a_name_in_use_gets_awss_message_on_the_field(signed_in, totp):
    response = signed_in.post("/account/security-credentials/mfa/assign", {"device_name": "root-phone"})

    assert response.status_code == 200
    assert response.context["form"].errors["device_name"] == ["MFA device already exists."]


def test_assign_needs_sign_in_and_get_or_post(signed_in):
    assert signed_in.put("/account/security-credentials/mfa/assign").status_code == 405
    signed_in.logout()
    assert signed_in.get("/account/security-credentials/mfa/assign")["Location"].startswith("/login?next=")


# --- enable, cancel ------------------------------------------------------------------------------


def test_two_consecutive_codes_assign_the_device_to_the_root(signed_in, iam, totp):
    response = signed_in.post(
        "/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **codes(totp)}
    )

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert root_serials(iam) == [SERIAL]
    assert "MFA device assigned to the root user." in signed_in.get(PAGE).content.decode()


def test_htmx_enable_gets_a_client_redirect(signed_in, iam, totp):
    response = signed_in.post(
        "/account/security-credentials/mfa/enable",
        {"serial_number": SERIAL, **codes(totp)},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == PAGE
    assert root_serials(iam) == [SERIAL]


def test_wrong_codes_come_back_with_awss_message_and_can_be_retried(signed_in, iam, totp):
    response = signed_in.post(
        "/account/security-credentials/mfa/enable",
        {"serial_number": SERIAL, "code1": "123456", "code2": "654321"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Authentication code for device is not valid." in html
    assert f'name="serial_number" value="{SERIAL}"' in html
    assert totp.secret not in html and "<svg" not in html
    assert "no-store" in response["Cache-Control"]
    assert root_serials(iam) == []

    retry = signed_in.post(
        "/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **codes(totp)}
    )
    assert retry.status_code == 302 and root_serials(iam) == [SERIAL]


def test_a_replayed_code_pair_is_refused(signed_in, iam, totp):
    pair = codes(totp)
    signed_in.post("/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **pair})
    iam.deactivate_root_mfa_device(SerialNumber=SERIAL)  # unassigned again, its codes already spent

    response = signed_in.post("/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **pair})

    assert response.status_code == 200
    assert "Authentication code for device is not valid." in response.content.decode()
    assert root_serials(iam) == []


@pytest.mark.parametrize("code1", ["", "12345", "12a456"])
def test_codes_that_are_not_six_digits_are_refused_on_the_field(signed_in, iam, totp, code1):
    response = signed_in.post(
        "/account/security-credentials/mfa/enable",
        {"serial_number": SERIAL, "code1": code1, "code2": "123456"},
    )

    assert response.status_code == 200
    assert response.context["codes_form"].errors["code1"]
    assert root_serials(iam) == []


def test_an_unknown_device_is_an_error_flash(signed_in, iam):
    response = signed_in.post(
        "/account/security-credentials/mfa/enable",
        {"serial_number": SERIAL, "code1": "123456", "code2": "654321"},
        follow=True,
    )

    assert f"MFA Device with serial number {SERIAL} does not exist." in response.content.decode()


def test_enable_is_post_only_and_needs_sign_in(signed_in):
    assert signed_in.get("/account/security-credentials/mfa/enable").status_code == 405
    signed_in.logout()
    assert signed_in.post("/account/security-credentials/mfa/enable")["Location"].startswith("/login?next=")


def test_cancel_deletes_the_unassigned_device(signed_in, iam, totp):
    response = signed_in.post(
        "/account/security-credentials/mfa/cancel", {"serial_number": SERIAL}, follow=True
    )

    assert "MFA device assignment canceled." in response.content.decode()
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_cancel_never_deletes_a_device_in_use(signed_in, iam, totp):
    enable(iam, totp)

    response = signed_in.post(
        "/account/security-credentials/mfa/cancel", {"serial_number": SERIAL}, follow=True
    )

    assert "is assigned to the root user" in response.content.decode()
    assert root_serials(iam) == [SERIAL]


def test_cancel_of_an_unknown_device_is_an_error_flash(signed_in):
    response = signed_in.post(
        "/account/security-credentials/mfa/cancel", {"serial_number": SERIAL}, follow=True
    )

    assert f"MFA Device with serial number {SERIAL} does not exist." in response.content.decode()


def test_cancel_is_post_only(signed_in):
    assert signed_in.get("/account/security-credentials/mfa/cancel").status_code == 405


# --- remove --------------------------------------------------------------------------------------


def test_remove_asks_then_deactivates_and_deletes(signed_in, iam, totp):
    enable(iam, totp)
    url = f"/account/security-credentials/mfa/remove?serial_number={urllib.parse.quote(SERIAL)}"

    page = signed_in.get(url)
    assert page.status_code == 200
    assert "<h1>Remove MFA device?</h1>" in page.content.decode()

    response = signed_in.post("/account/security-credentials/mfa/remove", {"serial_number": SERIAL})

    assert response["Location"] == PAGE
    assert root_serials(iam) == []
    assert not VirtualMFADevice.objects.filter(serial_number=SERIAL).exists()


def test_removing_a_device_that_is_not_the_roots_is_a_404(signed_in, iam, totp):
    assert (
        signed_in.get("/account/security-credentials/mfa/remove", {"serial_number": SERIAL}).status_code
        == 404
    )
    assert (
        signed_in.post("/account/security-credentials/mfa/remove", {"serial_number": SERIAL}).status_code
        == 404
    )
    assert VirtualMFADevice.objects.filter(serial_number=SERIAL).exists()


def test_remove_needs_sign_in(signed_in):
    assert signed_in.put("/account/security-credentials/mfa/remove").status_code == 405
    signed_in.logout()
    assert signed_in.get("/account/security-credentials/mfa/remove")["Location"].startswith("/login?next=")


# --- access keys ---------------------------------------------------------------------------------


def test_create_access_key_warns_that_root_keys_are_not_recommended(signed_in):
    response = signed_in.get("/account/security-credentials/access-keys/create")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Root user access keys are not recommended." in html
    assert (
        "I understand creating a root access key is not a best practice, but I still want to create one."
        in html
    )


def test_the_key_is_not_created_without_the_acknowledgement(signed_in, iam):
    response = signed_in.post("/account/security-credentials/access-keys/create", {})

    assert response.status_code == 200
    assert response.context["form"].errors["confirmed"]
    assert root_keys(iam) == {}


def test_the_secret_is_shown_once_with_a_csv_on_a_no_store_page(signed_in, iam):
    response = signed_in.post("/account/security-credentials/access-keys/create", {"confirmed": "on"})

    html = response.content.decode()
    key = response.context["key"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Retrieve access keys</h1>" in html
    assert key["SecretAccessKey"] in html
    assert 'download="rootkey.csv"' in html
    csv = urllib.parse.unquote(response.context["csv_uri"].split(",", 1)[1])
    assert (
        csv == f"\ufeffAccess key ID,Secret access key\r\n{key['AccessKeyId']},{key['SecretAccessKey']}\r\n"
    )
    assert root_keys(iam) == {key["AccessKeyId"]: "Active"}
    assert key["SecretAccessKey"] not in signed_in.get(PAGE).content.decode()
    assert key["SecretAccessKey"] not in str(dict(signed_in.session))


def test_a_third_key_is_an_error_flash(signed_in, iam):
    iam.create_access_key()
    iam.create_access_key()

    response = signed_in.post(
        "/account/security-credentials/access-keys/create", {"confirmed": "on"}, follow=True
    )

    assert "Cannot exceed quota for AccessKeysPerUser: 2" in response.content.decode()
    assert len(root_keys(iam)) == 2


def test_create_needs_sign_in(signed_in):
    assert signed_in.put("/account/security-credentials/access-keys/create").status_code == 405
    signed_in.logout()
    response = signed_in.post("/account/security-credentials/access-keys/create", {"confirmed": "on"})
    assert response["Location"].startswith("/login?next=")


@pytest.fixture
def key_id(iam):
    return iam.create_access_key()["AccessKey"]["AccessKeyId"]


def test_deactivate_and_activate_a_key(signed_in, iam, key_id):
    url = f"/account/security-credentials/access-keys/{key_id}/status"

    response = signed_in.post(url, {"status": "Inactive"})
    assert response["Location"] == PAGE and root_keys(iam)[key_id] == "Inactive"
    assert f"Access key {key_id} deactivated." in signed_in.get(PAGE).content.decode()

    signed_in.post(url, {"status": "Active"})
    assert root_keys(iam)[key_id] == "Active"


def test_status_refuses_an_unknown_status_or_key(signed_in, iam, key_id):
    response = signed_in.post(
        f"/account/security-credentials/access-keys/{key_id}/status", {"status": "Gone"}, follow=True
    )
    assert "Choose Activate or Deactivate." in response.content.decode()
    assert root_keys(iam)[key_id] == "Active"

    iam.create_user(UserName="alice")
    users_key = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    for unknown in ("AKIAUNKNOWN000000000", users_key):
        url = f"/account/security-credentials/access-keys/{unknown}/status"
        assert signed_in.post(url, {"status": "Inactive"}).status_code == 404
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Active"


def test_status_is_post_only(signed_in, key_id):
    assert signed_in.get(f"/account/security-credentials/access-keys/{key_id}/status").status_code == 405


def test_an_active_key_must_be_deactivated_before_delete(signed_in, iam, key_id):
    url = f"/account/security-credentials/access-keys/{key_id}/delete"

    html = signed_in.get(url).content.decode()
    assert "Deactivate this access key before you delete it." in html
    signed_in.post(url, {"confirmation": key_id})
    assert key_id in root_keys(iam)

    response = signed_in.post(
        f"/account/security-credentials/access-keys/{key_id}/status", {"status": "Inactive", "next": "delete"}
    )
    assert response["Location"] == url


def test_delete_needs_the_key_id_typed(signed_in, iam, key_id):
    iam.update_access_key(AccessKeyId=key_id, Status="Inactive")
    url = f"/account/security-credentials/access-keys/{key_id}/delete"

    wrong = signed_in.post(url, {"confirmation": "nope"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["confirmation"]
    assert key_id in root_keys(iam)

    response = signed_in.post(url, {"confirmation": key_id})
    assert response["Location"] == PAGE
    assert root_keys(iam) == {}
    assert f"Access key {key_id} deleted." in signed_in.get(PAGE).content.decode()


def test_delete_of_an_unknown_key_is_a_404_and_needs_sign_in(signed_in):
    assert (
        signed_in.get("/account/security-credentials/access-keys/AKIAUNKNOWN000000000/delete").status_code
        == 404
    )
    assert (
        signed_in.put("/account/security-credentials/access-keys/AKIAUNKNOWN000000000/delete").status_code
        == 405
    )
    signed_in.logout()
    url = "/account/security-credentials/access-keys/AKIAUNKNOWN000000000/delete"
    assert signed_in.get(url)["Location"].startswith("/login?next=")


def test_state_changes_need_the_csrf_token(account, iam, totp):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account.root_operator)

    response = client.post(
        "/account/security-credentials/mfa/enable", {"serial_number": SERIAL, **codes(totp)}
    )

    assert response.status_code == 403
    assert root_serials(iam) == []
