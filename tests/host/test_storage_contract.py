"""One contract for the bot's state storage, run on SQLite and PostgreSQL."""
import asyncio

import pytest
from botbuilder.core import ConversationState
from botbuilder.dialogs import DialogSet, DialogTurnStatus, TextPrompt, WaterfallDialog, WaterfallStepContext, PromptOptions
from botbuilder.schema import Activity

from bot.storage import SqlStorage
from integrations.db.host import ConversationReferences, ProcessedActivities, StateDocuments
from datetime import timedelta


@pytest.fixture
def storage(any_db, clock):
    return SqlStorage(StateDocuments(any_db), clock)


async def test_read_of_missing_keys_is_empty(storage):
    assert await storage.read(["nothing-here"]) == {}
    assert await storage.read([]) == {}


async def test_write_then_read_returns_document_and_etag(storage):
    await storage.write({"user/1": {"school": "Joy Lane", "count": 2}})
    items = await storage.read(["user/1"])
    assert items["user/1"]["school"] == "Joy Lane"
    assert items["user/1"]["count"] == 2
    assert items["user/1"]["e_tag"]


async def test_stale_etag_is_refused_and_star_overwrites(storage):
    await storage.write({"k": {"v": 1}})
    first = (await storage.read(["k"]))["k"]
    second = dict(first)
    first["v"] = 2
    await storage.write({"k": first})            # current e-tag: accepted
    second["v"] = 3
    with pytest.raises(KeyError):
        await storage.write({"k": second})       # stale e-tag: refused
    assert (await storage.read(["k"]))["k"]["v"] == 2
    await storage.write({"k": {"v": 4, "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["v"] == 4


async def test_concurrent_writers_with_the_same_etag_only_one_wins(storage):
    await storage.write({"race": {"n": 0}})
    base = (await storage.read(["race"]))["race"]

    async def attempt(n):
        try:
            await storage.write({"race": {**base, "n": n}})
            return True
        except KeyError:
            return False

    results = await asyncio.gather(*(attempt(n) for n in range(1, 6)))
    assert results.count(True) == 1


async def test_delete_removes(storage):
    await storage.write({"a": {"x": 1}, "b": {"x": 2}})
    await storage.delete(["a"])
    assert set(await storage.read(["a", "b"])) == {"b"}


async def test_dialog_state_survives_a_new_storage_instance(any_db, clock):
    """A dialog stack written by one process is resumed by another (restart mid-dialog)."""

    def make_dialogs(state):
        prop = state.create_property("DialogState")
        dialogs = DialogSet(prop)
        dialogs.add(TextPrompt("text"))

        async def ask(step: WaterfallStepContext):
            return await step.prompt("text", PromptOptions(prompt=Activity(type="message", text="Which school?")))

        async def done(step: WaterfallStepContext):
            await step.context.send_activity(f"Remembered {step.result}")
            return await step.end_dialog(step.result)

        dialogs.add(WaterfallDialog("ask-school", [ask, done]))
        return dialogs

    from bot.console import InProcessAdapter
    from botbuilder.core import TurnContext
    from botbuilder.schema import ChannelAccount, ConversationAccount

    sent = []
    adapter = InProcessAdapter(lambda a: sent.append(a.text))

    def activity(text):
        return Activity(type="message", text=text, channel_id="test", service_url="http://x/",
                        from_property=ChannelAccount(id="u1"), recipient=ChannelAccount(id="bot"),
                        conversation=ConversationAccount(id="c1"))

    async def turn(state, text):
        dialogs = make_dialogs(state)

        async def logic(context: TurnContext):
            dc = await dialogs.create_context(context)
            result = await dc.continue_dialog()
            if result.status == DialogTurnStatus.Empty:
                await dc.begin_dialog("ask-school")
            await state.save_changes(context)

        await adapter.process(activity(text), logic)

    first_process = ConversationState(SqlStorage(StateDocuments(any_db), clock))
    await turn(first_process, "start")
    assert sent == ["Which school?"]
    second_process = ConversationState(SqlStorage(StateDocuments(any_db), clock))
    await turn(second_process, "Joy Lane Primary")
    assert sent[-1] == "Remembered Joy Lane Primary"


async def test_conversation_references_are_upserted(any_db, clock):
    refs = ConversationReferences(any_db)
    for name in ("First", "Second"):
        await refs.save(user_id="29:u", channel_id="msteams", conversation_id="a:c", service_url="http://s/",
                        tenant_id="t", user_name=name, aad_object_id="aad", reference={"x": name}, now=clock.now())
    stored = await refs.get("29:u")
    assert stored.user_name == "Second" and stored.reference == {"x": "Second"}
    assert len(await refs.all()) == 1


async def test_processed_activity_is_claimed_once_until_it_expires(any_db, clock):
    processed = ProcessedActivities(any_db)
    ttl = timedelta(hours=1)
    results = await asyncio.gather(*(processed.claim("act-1", clock.now(), ttl) for _ in range(5)))
    assert results.count(True) == 1
    assert not await processed.claim("act-1", clock.now() + timedelta(minutes=30), ttl)
    assert await processed.claim("act-1", clock.now() + timedelta(hours=2), ttl)
    assert await processed.purge_expired(clock.now() + timedelta(hours=10)) == 1
