"""Command line: parsing and printing only; the work happens in the pipeline.

Exit codes: 0 success, 1 invalid case data or a letter that cannot be made, 2 usage error.
brevgen's own errors are caught once, by the command group, and printed one line per problem
on stderr (with ``--json`` also as JSON on stdout). Heavy modules (WeasyPrint, python-docx)
are imported only when a command needs them, so ``brevgen --help`` starts fast.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

from . import __version__
from .cpr import RedactingFilter, redact
from .errors import BrevgenError

_JSON_ERRORS = "brevgen.json_errors"


def _echo_json(payload) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


class BrevgenGroup(click.Group):
    """Turns a BrevgenError from any command into its lines on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # click quotes what was typed ("Path '010190-1234.yaml' does not exist").
            exc.message = redact(exc.message)
            raise
        except BrevgenError as exc:
            if ctx.meta.get(_JSON_ERRORS):
                _echo_json({"ok": False, "error": exc.as_dict()})
            for line in exc.lines():
                click.echo(f"fejl: {line}", err=True)
            ctx.exit(exc.exit_code)


class EventName(click.ParamType):
    """An event from the registry; checked when the command runs, so ``--help`` stays fast."""

    name = "BREVTYPE"

    def convert(self, value, param, ctx):
        from . import events

        if value not in events.names():
            self.fail(f"ukendt brevtype '{redact(value)}'. Vælg en af: {', '.join(events.names())} (se 'brevgen events')", param, ctx)
        return value


EVENT = EventName()


def _remember_json(ctx: click.Context, param, value: bool) -> bool:
    if value:
        ctx.meta[_JSON_ERRORS] = True
    return value


# --- options shared by several commands, defined once ------------------------------------------

json_option = click.option(
    "--json", "as_json", is_flag=True, callback=_remember_json, help="Skriv resultatet som JSON (til sagssystemer)."
)
out_option = click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Mappe til brevene (standard: outputs/ i den mappe, du står i).",
)
templates_option = click.option(
    "--templates", "templates_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
    help="Skabelonmappe med regimes.yml, typografi og skrifttyper (standard: BREVGEN_TEMPLATES, ellers de medfølgende).",
)


pdf_engine_option = click.option(
    "--pdf-engine", type=click.Choice(["weasyprint", "typst"]), default="weasyprint", show_default=True,
    help="Hvad der laver PDF'en: weasyprint (fra HTML-siden) eller typst (hurtigere, samme brev).",
)


def formats_option(default: str = "pdf,docx,html"):
    return click.option(
        "--format", "formats", default=default, show_default=True,
        help="Formater, adskilt med komma (se 'brevgen formats').",
    )


def _template_set(root: Path | None, version: str | None = None):
    """--templates DIR (that folder), --template-version V (a published version), or neither:
    the newest published version, or the working folder when none is published."""
    from .versions import template_set_for

    return template_set_for(version, templates_root=root)


template_version_option = click.option(
    "--template-version", "template_version", default=None, metavar="VERSION",
    help="En udgivet version (nummer, fx 4, eller starten af dens hash): laver brevet præcis som den version gjorde. "
    "Standard: den nyeste udgivne version.",
)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="brevgen: %(levelname)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # WeasyPrint's warnings may quote letter text
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


@click.group(cls=BrevgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brevgen")
def main() -> None:
    """brevgen: klare breve fra jobcenteret, lavet ud fra sagens data.

    Laver ét brev pr. hændelse som PDF, DOCX og HTML. Brug 'brevgen demo' for at se
    eksemplerne, og 'brevgen render' for at lave et brev ud fra en sagsfil.
    """
    _setup_logging()


@main.command()
@json_option
def events(as_json: bool) -> None:
    """Vis de brevtyper, brevgen kan lave."""
    from .events import all_events

    if as_json:
        _echo_json([{"event": e.name, "title": e.title} for e in all_events()])
        return
    for event in all_events():
        click.echo(f"{event.name:14} {event.title}")


@main.command()
@json_option
def formats(as_json: bool) -> None:
    """Vis de formater, brevgen kan lave."""
    from .render import all_formats

    if as_json:
        _echo_json([{"format": f.name, "title": f.title, "suffix": f.suffix, "media_type": f.media_type, "default": f.default} for f in all_formats()])
        return
    for fmt in all_formats():
        click.echo(f"{fmt.name:6} {fmt.title}{' (standard)' if fmt.default else ''}")


@main.command()
@click.argument("event", type=EVENT)
def schema(event: str) -> None:
    """Vis JSON Schema for sagens data til brevtypen EVENT."""
    from .events import get

    _echo_json(get(event).model.model_json_schema())


@main.command()
@click.argument("event", type=EVENT)
@click.argument("casefile", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@formats_option()
@out_option
@templates_option
@template_version_option
@json_option
@pdf_engine_option
@click.option(
    "--pdf-variant",
    default="pdf/ua-1",
    show_default=True,
    help="PDF-standard: pdf/ua-1 (tilgængelig), pdf/a-2a eller pdf/a-3a (til arkivet, også tilgængelig).",
)
def render(event: str, casefile: Path, formats: str, out_dir: Path | None, templates_dir: Path | None, template_version: str | None, as_json: bool, pdf_engine: str, pdf_variant: str) -> None:
    """Lav brevet EVENT ud fra sagsfilen CASEFILE (YAML eller JSON)."""
    from .casefile import read_case_file
    from .output import write_letter
    from .paths import outputs_dir
    from .pipeline import make_letter
    from .render import parse_formats
    from .render.pdf import check_variant

    chosen = parse_formats(formats)
    variant = check_variant(pdf_variant)
    data = read_case_file(casefile)
    letter, rendered = make_letter(
        event, data, chosen, record=str(casefile), pdf_variant=variant, pdf_engine=pdf_engine,
        templates=_template_set(templates_dir, template_version),
    )
    paths = write_letter(letter.meta, rendered, out_dir or outputs_dir())
    if as_json:
        _echo_json({"ok": True, "files": [str(p) for p in paths], "notes": list(letter.meta.notes), **letter.meta.provenance()})
        return
    for note in letter.meta.notes:
        click.echo(f"bemærk: {note}", err=True)
    for path in paths:
        click.echo(str(path))


@main.command()
@click.argument("event", type=EVENT)
@click.argument("target", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--example", default=None, help="Tag værdierne fra dette eksempel (filnavn uden endelse; se examples/).")
@click.option("--force", is_flag=True, help="Overskriv filen, hvis den findes.")
def init(event: str, target: Path | None, example: str | None, force: bool) -> None:
    """Skriv en sagsfil at starte fra for brevtypen EVENT (YAML med forklaringer på dansk).

    TARGET er filen (standard: EVENT.yaml i den mappe, du står i; '-' skriver til skærmen).
    Værdierne er fra et eksempel; ret dem, og lav brevet med 'brevgen render EVENT TARGET'.
    """
    from .errors import UsageError
    from .output import atomic_write
    from .starter import starter_case

    text = starter_case(event, example)
    if target is not None and str(target) == "-":
        click.echo(text, nl=False)
        return
    path = target or Path(f"{event}.yaml")
    if path.exists() and not force:
        raise UsageError(f"{path}: findes allerede. Vælg et andet filnavn eller brug --force")
    atomic_write(path, text.encode("utf-8"))
    click.echo(str(path))


@main.command()
@out_option
@formats_option()
@templates_option
@pdf_engine_option
def demo(out_dir: Path | None, formats: str, templates_dir: Path | None, pdf_engine: str) -> None:
    """Lav alle eksemplerne i examples/ i alle formater (til outputs/)."""
    from .casefile import CASE_SUFFIXES, read_case_file
    from .output import write_letter
    from .paths import examples_dir, outputs_dir
    from .pipeline import make_letter
    from .render import parse_formats

    chosen = parse_formats(formats)
    templates = _template_set(templates_dir)
    target = out_dir or outputs_dir()
    cases = sorted(p for p in examples_dir().glob("*/*") if p.suffix in CASE_SUFFIXES)
    if not cases:
        click.echo(f"fejl: ingen eksempler i {examples_dir()}", err=True)
        sys.exit(2)
    started = time.perf_counter()
    written = failed = 0
    for i, path in enumerate(cases, start=1):
        event = path.parent.name
        try:
            record = str(path.relative_to(examples_dir().parent))
            letter, rendered = make_letter(event, read_case_file(path), chosen, record=record, templates=templates, pdf_engine=pdf_engine)
            files = write_letter(letter.meta, rendered, target)
        except BrevgenError as exc:  # one bad example does not stop the others
            failed += 1
            for line in exc.lines():
                click.echo(f"fejl: {line}", err=True)
            continue
        written += 1
        click.echo(f"[{i}/{len(cases)}] {path.parent.name}/{path.name} -> {', '.join(f.name for f in files)}")
    seconds = time.perf_counter() - started
    click.echo(f"{written} breve i {len(chosen)} formater skrevet til {target} på {seconds:.1f} s; {failed} fejlede.")
    if failed:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse, tjenesten lytter på.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Antal processer (brug flere CPU'er).")
@templates_option
def serve(host: str, port: int, log_level: str, workers: int, templates_dir: Path | None) -> None:
    """Start HTTP-tjenesten til sagssystemer (API-dokumentation på /docs).

    Sæt miljøvariablen BREVGEN_API_KEY for at kræve en API-nøgle i headeren X-API-Key, og
    BREVGEN_BROKER_URL for at tage imod kørsler (POST /v1/batches) til 'brevgen worker'.
    """
    import os

    # FastAPI and uvicorn are imported here only, so the other commands start fast.
    from .service import serve as run_service

    if templates_dir:  # the variable, so every server process (--workers) uses the same folder
        os.environ["BREVGEN_TEMPLATES"] = str(templates_dir.resolve())

    run_service(host=host, port=port, log_level=log_level, workers=workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse, studiet lytter på.")
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@templates_option
def studio(host: str, port: int, templates_dir: Path | None) -> None:
    """Start skabelonstudiet: ret brevenes tekst i kladder, se hver variant med tjek, få dem
    godkendt og udgivet.

    Brugere og versioner ligger i databasen: BREVGEN_DATABASE_URL (fx postgresql://...), ellers
    en SQLite-fil i datamappen (BREVGEN_DATA). Lav den første bruger med 'brevgen users add'.
    BREVGEN_STUDIO_SECRET holder log ind-formularen gyldig, når studiet genstartes.
    """
    from .store import open_store
    from .store.settings import display_url

    store = open_store()
    with store.read() as tx:
        users = tx.count_users()
    click.echo(f"database: {display_url(str(store.engine.url.render_as_string(hide_password=False)))}", err=True)
    if not users:
        click.echo("bemærk: der er ingen brugere endnu. Lav den første med: brevgen users add NAVN --role admin --role author", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"bemærk: studiet lytter på {host}. Sæt HTTPS foran, så adgangskoder og cookies ikke sendes i klartekst.", err=True)
    from .studio import serve as run_studio

    run_studio(host=host, port=port, templates=templates_dir)


# --- users, versions and the database --------------------------------------------------------


@main.group(cls=BrevgenGroup)
def users() -> None:
    """Skabelonstudiets brugere og roller (author, language_reviewer, subject_reviewer, admin, caseworker)."""


def _store():
    from .store import open_store

    return open_store()


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Adgangskode", hide_input=True, confirmation_prompt="Gentag adgangskoden")


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="En rolle; gentag for flere: author, language_reviewer, subject_reviewer, admin, caseworker (skrivebordet /breve).")
@click.option("--full-name", default="", help="Brugerens navn, som andre ser det.")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra første linje på stdin (til scripts).")
def users_add(name: str, roles: tuple[str, ...], full_name: str, password_stdin: bool) -> None:
    """Lav brugeren NAME (sådan får en ny installation sin første administrator)."""
    from .accounts import add_user

    user = add_user(_store(), name, _password(password_stdin), roles, full_name, by="brevgen users add")
    click.echo(f"{user.name}: {', '.join(sorted(user.roles))}")


@users.command("list")
@json_option
def users_list(as_json: bool) -> None:
    """Vis brugerne og deres roller."""
    with _store().read() as tx:
        found = tx.users()
    if as_json:
        _echo_json([{"name": u.name, "full_name": u.full_name, "roles": sorted(u.roles), "active": u.active} for u in found])
        return
    for u in found:
        click.echo(f"{u.name:20} {'aktiv ' if u.active else 'lukket'} {', '.join(sorted(u.roles))}")


@users.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, help="Brugerens roller (alle; gentag for flere). Ingen: fjern alle.")
def users_roles(name: str, roles: tuple[str, ...]) -> None:
    """Sæt brugeren NAMEs roller."""
    from .accounts import set_roles

    set_roles(_store(), name, roles, by="brevgen users roles")


@users.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Læs adgangskoden fra første linje på stdin.")
def users_password(name: str, password_stdin: bool) -> None:
    """Sæt en ny adgangskode for NAME."""
    from .accounts import set_password

    set_password(_store(), name, _password(password_stdin), by="brevgen users password")


@users.command("deactivate")
@click.argument("name")
def users_deactivate(name: str) -> None:
    """Luk brugeren NAME (brugere slettes aldrig, så loggen beholder navnene)."""
    from .accounts import set_active

    set_active(_store(), name, False, by="brevgen users deactivate")


@main.group(cls=BrevgenGroup)
def versions() -> None:
    """Udgivne versioner af skabelonerne (lavet og godkendt i skabelonstudiet)."""


@versions.command("list")
@json_option
def versions_list(as_json: bool) -> None:
    """Vis de udgivne versioner, den nyeste først."""
    from .store.settings import configured

    found = []
    if configured():
        with _store().read() as tx:
            found = tx.versions()
    if as_json:
        _echo_json([
            {"number": v.number, "hash": v.hash, "title": v.title, "published_at": v.published_at.isoformat(),
             "published_by": v.published_by, "schema_version": v.schema_hash}
            for v in found
        ])
        return
    if not found:
        click.echo("Ingen versioner er udgivet endnu: brevene laves fra skabelonmappen.")
    for v in found:
        click.echo(f"{v.number:4} {v.hash[:12]}  {v.published_at:%Y-%m-%d %H:%M}  {v.published_by:12} {v.title}")


@versions.command("export")
@click.argument("version")
@click.option("--to", "target", required=True, type=click.Path(file_okay=False, path_type=Path), help="Tom mappe, som versionens filer skrives til (templates/ og rules/).")
def versions_export(version: str, target: Path) -> None:
    """Skriv en udgivet versions filer til en mappe (fx for at lægge den i git)."""
    from .errors import UsageError
    from .versions import find_version, materialise, write_set

    store = _store()
    found = find_version(store, version)
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"{target} er ikke tom")
    folder = materialise(store, found.hash)
    files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}
    write_set(target, files)
    click.echo(f"version {found.number} ({found.hash[:12]}): {len(files)} filer i {target}")


@main.group(cls=BrevgenGroup)
def db() -> None:
    """Databasen (BREVGEN_DATABASE_URL, ellers SQLite i datamappen)."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring databasens skema op til denne udgave af brevgen (sker også, når den åbnes)."""
    store = _store()
    from .store.settings import display_url

    click.echo(f"{display_url(str(store.engine.url.render_as_string(hide_password=False)))}: skemaet er opdateret")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True, help="Tekst som en compiler, JSON eller SARIF 2.1.0.")
@click.option("--event", type=EVENT, default=None, help="PATH er en sagsfil: lav brevet og tjek det færdige brev.")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, help="Mappe med regler (standard: plain_language_rules/).")
@click.option("--examples", "examples_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None, help="Mappe med eksempler til skabelonerne (standard: examples/).")
@click.option("--min-level", type=click.Choice(["suggestion", "warning", "error"]), default=None, help="Vis kun fund fra dette niveau og op.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Skriv rapporten til en fil i stedet for skærmen.")
def lint(paths: tuple[Path, ...], fmt: str, event: str | None, rules_dir: Path | None, examples_dir: Path | None, min_level: str | None, output: Path | None) -> None:
    """Tjek klarsprog, LIX og påkrævet indhold.

    PATHS kan være en skabelonmappe (standard: templates/da/; hver skabelon laves med hvert
    eksempel), en skabelon eller et brev som .md, .txt, .html, .docx eller .pdf.
    Exit-kode 0: ingen fejl, 1: fejl i teksten, 2: reglerne eller kaldet er forkert.
    """
    from .errors import UsageError
    from .lint import lint_case, lint_paths, load_rules
    from .lint.report import RENDERERS
    from .output import atomic_write
    from .paths import templates_dir

    rules = load_rules(rules_dir)
    level = min_level or rules.config.min_level
    if event:
        if len(paths) != 1:
            raise UsageError("--event kræver præcis én sagsfil")
        report = lint_case(event, paths[0], rules, min_level=level)
    else:
        report = lint_paths(list(paths) or [templates_dir()], rules, examples=examples_dir, min_level=level)
    text = RENDERERS[fmt](report)
    if output:
        atomic_write(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
def inspect(files: tuple[Path, ...], as_json: bool) -> None:
    """Vis brevets stempel: skabelon og version, regelsæt, brevgen-version og datahash.

    FILES er et eller flere breve som PDF, DOCX eller HTML.
    """
    from .inspect import inspect_file

    results, failed = [], None
    for path in files:
        try:
            results.append(inspect_file(path))
        except BrevgenError as exc:  # one unreadable file does not hide the others
            failed = exc if failed is None or exc.exit_code > failed.exit_code else failed
            for line in exc.lines():
                click.echo(f"fejl: {line}", err=True)
    if as_json:
        payload = [r.as_dict() for r in results]
        _echo_json(payload[0] if len(files) == 1 and payload else payload)
    else:
        for result in results:
            click.echo(f"{result.file} ({result.format.upper()})")
            click.echo(f"  titel: {result.title or '-'}")
            click.echo(f"  sprog: {result.lang or '-'}")
            if result.conformance:
                click.echo(f"  standard: {', '.join(result.conformance)}")
            for key, value in result.provenance.items():
                click.echo(f"  {key}: {value}")
    if failed is not None:
        sys.exit(failed.exit_code)


@main.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Mappe til brevene, manifest.jsonl og errors.jsonl.")
@formats_option()
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Antal arbejdsprocesser (standard: én pr. CPU-kerne).")
@pdf_engine_option
@template_version_option
@click.option("--queue", "use_queue", is_flag=True, help="Send kørslen til køen (BREVGEN_BROKER_URL) i stedet for at lave den her; 'brevgen worker' laver brevene.")
@click.option("--no-wait", is_flag=True, help="Med --queue: skriv kørslens id og stop; hent brevene senere.")
@click.option("--webhook", default=None, help="Med --queue: adresse, der kaldes (signeret) når kørslen er færdig.")
@click.option("--idempotency-key", default=None, help="Med --queue: samme nøgle igen giver samme kørsel (intet sendes to gange).")
@json_option
def batch(source: Path, out_dir: Path, formats: str, workers: int | None, pdf_engine: str, template_version: str | None, use_queue: bool, no_wait: bool, webhook: str | None, idempotency_key: str | None, as_json: bool) -> None:
    """Lav et brev for hver post i SOURCE: en JSONL-fil eller en mappe med sagsfiler.

    JSONL: én linje pr. brev, {"id": ..., "event": ..., "data": {...}}. Mappe: sagsfiler
    (YAML/JSON) i en undermappe med brevtypens navn, fx indkaldelse/sag-17.yaml, eller med
    "event" og "id" i filen. Fejl i en post stopper ikke resten: de står i errors.jsonl.
    Kør samme kommando igen efter en afbrydelse, så laves kun de breve, der mangler.

    Med --queue går kørslen (en JSONL-fil) til køen, og 'brevgen worker' på en eller flere
    maskiner laver brevene; kommandoen følger den og henter brevene til --out.
    """
    if use_queue:
        _batch_on_queue(source, out_dir, formats, no_wait, webhook, idempotency_key, as_json)
        return
    from .batch import run_batch
    from .batch.progress import danish_number, duration, progress_for

    display = None

    def show(p) -> None:
        nonlocal display
        if display is None:
            display = progress_for(p.total)
        display(p)

    try:
        result = run_batch(source, out_dir, formats, workers=workers, progress=show, pdf_engine=pdf_engine, template_version=template_version)
    finally:
        if display is not None:
            display.close()
    if as_json:
        _echo_json(result.as_dict())
    else:
        click.echo(
            f"{result.letters} breve i {len(result.formats)} {'format' if len(result.formats) == 1 else 'formater'} i {out_dir} "
            f"({result.written} nye, {result.already_done} lavet før) på {duration(result.seconds)}, "
            f"{danish_number(result.letters_per_second)} breve/s; {result.failed} fejlede."
        )
    for error in result.first_errors:
        click.echo(f"fejl: {error.line_text()}", err=True)
    if result.failed > len(result.first_errors):
        click.echo(f"fejl: ... og {result.failed - len(result.first_errors)} flere i {out_dir / 'errors.jsonl'}", err=True)
    if result.interrupted:
        click.echo("afbrudt: kør samme kommando igen for at lave de breve, der mangler.", err=True)
        sys.exit(130)
    if result.failed:
        sys.exit(1)


def _batch_on_queue(source: Path, out_dir: Path, formats: str, no_wait: bool, webhook: str | None, idempotency_key: str | None, as_json: bool) -> None:
    from .queue.client import download, submit_file, wait
    from .render import parse_formats

    job_id, created = submit_file(source, parse_formats(formats), webhook=webhook, idempotency_key=idempotency_key)
    if not as_json:
        click.echo(f"kørsel {job_id} {'sendt til køen' if created else 'fandtes allerede (samme Idempotency-Key)'}", err=True)
    if no_wait:
        if as_json:
            _echo_json({"ok": True, "job": job_id, "created": created})
        else:
            click.echo(job_id)
        return

    def show(status) -> None:
        if not as_json:
            click.echo(f"{status['done']}/{status['total']} poster: {status['letters']} breve, {status['failed']} fejl", err=True)

    status = wait(job_id, progress=show, poll=2.0)
    download(job_id, out_dir)
    if as_json:
        _echo_json({"ok": status["failed"] == 0, "job": job_id, **{k: status[k] for k in ("total", "letters", "failed", "formats")}, "out": str(out_dir)})
    else:
        click.echo(f"{status['letters']} breve i {out_dir} (kørsel {job_id}); {status['failed']} fejlede.")
    for error in status["errors"][:10]:
        who = f" (id {error['id']})" if error.get("id") else ""
        click.echo(f"fejl: linje {error.get('line')}{who}: {error['message']}", err=True)
    if status["failed"]:
        sys.exit(1)


@main.command()
@click.option("--concurrency", "-c", type=click.IntRange(1, 64), default=None, help="Antal processer, der laver breve (standard: én pr. CPU-kerne).")
@click.option("--broker", default=None, help="Køens mægler, fx redis://vært:6379/0 eller amqp://bruger:kode@vært// (standard: BREVGEN_BROKER_URL).")
@click.option("--store", default=None, help="Hvor brevene skrives: en mappe eller s3://spand/præfiks (standard: BREVGEN_STORE).")
@templates_option
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--hostname", default=None, help="Arbejderens navn i Celery (standard: brugerens@maskinens navn).")
@click.option("--pool", type=click.Choice(["prefork", "solo"]), default="prefork", show_default=True, help="prefork: processer, der skiftes ud efter ca. 2.000 breve; solo: brevene laves i selve processen (kun -c 1, til korte kørsler og målinger).")
def worker(concurrency: int | None, broker: str | None, store: str | None, templates_dir: Path | None, log_level: str, hostname: str | None, pool: str) -> None:
    """Start en arbejder, der laver breve fra køen (Celery).

    Kør den på hver maskine, der når mægleren (Redis eller RabbitMQ) og lageret til brevene
    (en fælles mappe, eller et S3-kompatibelt lager på flere maskiner). Stop med Ctrl-C: det
    brev, der er ved at blive lavet, bliver færdigt; en dræbt arbejders opgave går til en anden.
    """
    import os

    from .batch.run import default_workers
    from .queue.client import run_worker

    for name, value in (("BREVGEN_BROKER_URL", broker), ("BREVGEN_STORE", store), ("BREVGEN_TEMPLATES", str(templates_dir.resolve()) if templates_dir else None)):
        if value:
            os.environ[name] = value
    run_worker(concurrency or (1 if pool == "solo" else default_workers()), log_level, hostname, pool)


if __name__ == "__main__":  # pragma: no cover
    main()
