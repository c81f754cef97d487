"""The web page: server-rendered with Jinja2; a small script (served locally) does the rest."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from unbis import __version__
from unbis.api.registry import BUNDLED_ID
from unbis.api.state import WEB_DIR, ServerState, state

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ru": "Русский", "zh": "中文", "ar": "العربية"}


@router.get("/", response_class=HTMLResponse)
def index(request: Request, st: Annotated[ServerState, Depends(state)]) -> Any:
    projects = []
    for pid, loaded in st.registry.available():  # a broken project must not break the page
        projects.append({"id": pid, "name": pid if pid != BUNDLED_ID else "UNBIS (bundled, zero-shot)",
                         "backend": loaded.project.config.backend, "version": loaded.version})
    return templates.TemplateResponse(request, "index.html", {
        "projects": projects, "languages": LANGUAGES, "version": __version__,
    })
