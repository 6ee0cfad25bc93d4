"""Ways a message reaches a person: email, DingTalk and WeCom group robots, a generic webhook.

Each sender takes one message and one recipient and says plainly what happened (``SendOutcome``).
Not yet used by ``tracker notify``: the outbox still sends email only.
"""
