"""``init`` and ``schema``: start a project, and give editors the formats to check against."""

from __future__ import annotations

from pathlib import Path

import click

from ..project import find_project
from ..scaffold import SCHEMA_FOLDER, make_project, write_schemas
from .app import cli, handle_errors


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, dir_okay=True, file_okay=False), default=Path("."))
@click.option("--title", help="The podcast's title (default: from the folder's name).")
@click.option("--author", default="Your Name", show_default=True, help="The podcast's author.")
@handle_errors
def init(folder: Path, title: str | None, author: str) -> None:
    """Start a podcast project in FOLDER (default: here); never overwrites a file.

    Writes scripts/podcast.yaml (every field explained), a first guide, sounds/ and art/,
    a .gitignore for output/, and schemas/ for editors. Then: cd FOLDER && audio-guide build
    """
    written = make_project(folder, title=title, author=author)
    for path in written:
        click.echo(f"wrote {path}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    click.echo(f"next: edit scripts/podcast.yaml (title, owner, base_url), then: {where}audio-guide build")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the schemas (default: the project's schemas/).")
@handle_errors
def schema(out_dir: Path | None) -> None:
    """Write the JSON Schemas for guide scripts and podcast.yaml (for editor checks and completion).

    Run it after upgrading audio-guide so the editor knows the new format; a script points at
    its schema with a first line: # yaml-language-server: $schema=../schemas/guide.schema.json
    """
    if out_dir is None:
        project = find_project()
        out_dir = project.root / SCHEMA_FOLDER if project is not None else Path(SCHEMA_FOLDER)
    for path in write_schemas(out_dir):
        click.echo(f"wrote {path}")
