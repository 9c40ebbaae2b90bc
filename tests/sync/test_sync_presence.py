"""Which records the catalogue still has (sync/scicat/datasets.py: ``dataset_pids_shown`` and
``dataset_presence``, what ``review.withdrawals`` asks), against the SciCat stand-in."""

from __future__ import annotations

import pytest

from sync.scicat import ApiConfig, CatalogueRefused, Presence, SciCatApi
from tests.standins.scicat import SciCatStandIn
from tests.sync.conftest import PASSWORD, USERNAME
from tests.sync.support import EMBARGO_END_FUTURE, add, pid


def _api(scicat: SciCatStandIn, version: str, *, account: bool = True) -> SciCatApi:
    return SciCatApi(
        ApiConfig(
            url=scicat.url,
            version="v3" if version == "v3" else "v4",
            username=USERNAME if account else "",
            password=PASSWORD if account else "",
            retries=0,
        )
    )


@pytest.mark.parametrize("release", ["4.17.1", "5.2.1"])
@pytest.mark.parametrize("version", ["v3", "v4"])
def test_the_account_lists_embargoed_pids_in_one_call_per_hundred_and_404_means_deleted(
    scicat: SciCatStandIn, release: str, version: str
) -> None:
    scicat.set_release(release)
    add(scicat, 1, published=False, embargo_end=EMBARGO_END_FUTURE)
    add(scicat, 2, published=True)
    api = _api(scicat, version)
    asked = [pid(1), pid(2), pid(3)] + [f"other/{n}" for n in range(150)]
    before = len(scicat.seen)
    assert api.dataset_pids_shown(asked) == {pid(1), pid(2)}
    lists = [s for s in scicat.seen[before:] if s.path != "/api/v3/auth/login"]
    assert len(lists) == 2  # 153 pids: two list calls, pids only
    assert api.dataset_presence(pid(1)) is Presence.SHOWN
    assert api.dataset_presence(pid(3)) is Presence.DELETED
    api.close()


def test_a_record_the_caller_may_not_read_is_hidden_not_deleted(scicat: SciCatStandIn) -> None:
    add(scicat, 1, published=False, embargo_end=EMBARGO_END_FUTURE)
    api = _api(scicat, "v3", account=False)
    assert api.dataset_presence(pid(1)) is Presence.HIDDEN
    api.close()


def test_a_route_the_backend_lacks_is_an_error_not_a_deletion(scicat: SciCatStandIn) -> None:
    api = SciCatApi(ApiConfig(url=scicat.url + "/elsewhere", version="v4", token="t", retries=0))
    with pytest.raises(CatalogueRefused, match="Cannot GET"):
        api.dataset_presence(pid(1))
    api.close()
