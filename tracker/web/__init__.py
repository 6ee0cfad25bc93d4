"""The web portal (`tracker serve`): a thin front end over the use cases, like the CLI and the TUI.

Layout:
- ``app.py`` builds the Starlette application: the routes of every page module, the static
  files, the error pages; ``server.py`` runs it under uvicorn.
- ``guard.py`` is the one middleware every request passes: security headers on every response,
  the session cookie → the ``Visitor`` (tracker/usecases/sessions.py), the CSRF check of every
  POST (403 otherwise), login required, the forced first password change, the access log.
- ``render.py`` renders a template (Jinja2, autoescaped) with what every page needs, and the
  error pages; ``i18n.py`` is the portal's catalogue (Chinese by default, English available).
- ``pages/``: one module per group of pages. Adding a group (the pattern):
    1. ``tracker/web/pages/NAME.py`` with plain (sync) handlers ``def view(request) -> Response``
       that call use cases as ``visitor(request).actor`` and ``render(request, "NAME/x.html", ...)``,
       and ``ROUTES = [Route("/path", view), Route("/path/{id:int}/do", do, methods=["POST"])]``;
       a POST handler reads ``form(request)`` (already CSRF-checked) and answers with a 303
       redirect (``done(...)``).
    2. ``templates/NAME/*.html`` extending ``base.html``; every form has ``{{ csrf_field() }}``.
    3. its words in ``i18n.py``; the module's name in ``app.PAGES``.
    4. tests in tests/web/: the route × every role (tests/web/test_routes.py's table).
  Permission is never the template's: a refused use case raises, and the error handlers turn
  ``PermissionDenied`` into a 403 page and another unit's row (``OutOfScope``) into a 404 page
  exactly like a missing one.
"""
