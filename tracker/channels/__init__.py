"""Ways a message reaches a person: email, DingTalk and WeCom group robots, a generic webhook.

Each sender takes one message and one recipient and says plainly what happened (``SendOutcome``).
``[channels]`` (``tracker.channel_settings``) says which carry which levels and whom they reach;
the outbox sends through them (``tracker.channel_sending``; email through ``tracker.outbox``).
"""
