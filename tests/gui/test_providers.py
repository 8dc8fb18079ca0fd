"""Providers.batch_recipe: the check-all child process gets the window's own settings, or none.

No Qt and no I/O here: building a recipe reads nothing. The fakes are the
point of the second half (an injected spy or fake keychain lives in this
process only, so the batch must then stay in this process).
"""

from __future__ import annotations

import uuid

from moecheck_gui.batch.process import BatchRecipe
from moecheck_gui.gui.providers import Providers
from moecheck_gui.keychain import KeychainStore
from tests.gui.conftest import NoKeychain


def test_the_recipe_carries_the_windows_network_settings() -> None:
    password = f"pw-{uuid.uuid4().hex}"
    providers = Providers(pac_url="http://wpad.example/proxy.pac")
    assert providers.batch_recipe("http://127.0.0.1:9/dc-{dc}") == BatchRecipe(
        api_base="http://127.0.0.1:9/dc-{dc}",
        pac_url="http://wpad.example/proxy.pac",
        proxy_credentials={},
    )
    providers.set_proxy_credentials("proxy.corp:3128", "someone", password)
    providers.set_pac_url(None)
    recipe = providers.batch_recipe(None)
    assert recipe is not None
    assert recipe.api_base is None and recipe.pac_url is None and recipe.use_keychain
    assert dict(recipe.proxy_credentials) == {"proxy.corp:3128": ("someone", password)}
    assert password not in repr(recipe)
    # Signing out of the proxy reaches the next check-all too.
    providers.set_proxy_credentials("proxy.corp:3128", None, "")
    later = providers.batch_recipe(None)
    assert later is not None and dict(later.proxy_credentials) == {}


def test_the_os_keychain_can_be_opened_again_in_the_child() -> None:
    assert Providers(keychain=KeychainStore()).batch_recipe(None) is not None


def test_what_lives_only_in_this_process_keeps_the_batch_here() -> None:
    class Spy:
        def check(self, *args: object, **kwargs: object) -> None: ...

        def detect(self, *args: object, **kwargs: object) -> None: ...

    assert Providers(checker=Spy()).batch_recipe(None) is None  # type: ignore[arg-type]
    assert Providers(keychain=NoKeychain()).batch_recipe(None) is None  # type: ignore[arg-type]
    other_service = KeychainStore(service="moecheck-tests-elsewhere")
    assert Providers(keychain=other_service).batch_recipe(None) is None
