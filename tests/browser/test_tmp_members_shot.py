import pytest
from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import PASSWORD
from gonghui.members.tests.test_member_list import World
from gonghui.members.tests.factories import make_members
from tests.browser.conftest import screenshot, sign_in, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

def test_shot(live_server, desktop):
    w = World()
    make_members(w.e2, 60)
    User.objects.create_superuser("admin", PASSWORD)
    sign_in(desktop, live_server.url, "admin", PASSWORD)
    desktop.goto(live_server.url + "/console/members/")
    screenshot(desktop, "tmp-members")
    print("AXE", axe_violations(desktop))
    desktop.get_by_role("link", name="下一页").click()
    desktop.wait_for_load_state("networkidle")
    print("ROWS", desktop.locator("tr[data-row-id]").count(), desktop.url)
    desktop.goto(live_server.url + "/console/members/?q=张伟明")
    screenshot(desktop, "tmp-members-error")
    print("ERR", desktop.console_errors)
