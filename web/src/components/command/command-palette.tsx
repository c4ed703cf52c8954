import { useEffect, useMemo, useState, type ReactNode } from "react";
import { Command } from "cmdk";
import { useNavigate } from "@tanstack/react-router";
import { Activity, BarChart3, FileText, Gauge, LayoutDashboard, ListChecks, Monitor, Moon, Search, Server, Sun, UserRound, Waypoints } from "lucide-react";
import { useSchemaKeys } from "@/api/catalog";
import { useThemeChoice, type ThemeChoice } from "@/components/theme";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { useShowSelf } from "@/lib/self-telemetry";
import { signalNameOf, signalSearch, signalWords, type SignalName } from "@/lib/signal";

/** How many keys the palette lists: enough to pick from, few enough to read. */
const KEYS_SHOWN = 30;

type Page = {
  label: string;
  to: "/" | "/producers" | "/cardinality" | "/conformance" | "/consumers";
  signal?: SignalName;
  Icon: typeof Search;
  words: string;
};
const pages: Page[] = [
  { label: "Metrics", to: "/", signal: "metric", Icon: Gauge, words: "list home" },
  { label: "Spans", to: "/", signal: "span", Icon: Waypoints, words: "list traces" },
  { label: "Logs", to: "/", signal: "log", Icon: FileText, words: "list log events" },
  { label: "Producers", to: "/producers", Icon: Server, words: "services releases instances" },
  { label: "Cardinality", to: "/cardinality", Icon: BarChart3, words: "series cost top" },
  { label: "Conformance", to: "/conformance", Icon: ListChecks, words: "findings semantic conventions registry violations" },
  { label: "Consumers", to: "/consumers", Icon: LayoutDashboard, words: "dashboards alerts rules grafana prometheus queries unused broken" },
];
const themes: { value: ThemeChoice; label: string; Icon: typeof Sun }[] = [
  { value: "dark", label: "Use the dark theme", Icon: Moon },
  { value: "light", label: "Use the light theme", Icon: Sun },
  { value: "system", label: "Follow the system's theme", Icon: Monitor },
];

/** matches says an entry's label or words contain every word typed, ignoring case. */
const matches = (query: string, ...texts: string[]) => {
  const hay = texts.join(" ").toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
};

const groupClass =
  "px-1 py-1 [&_[cmdk-group-heading]]:px-2 [&_[cmdk-group-heading]]:py-1.5 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-medium [&_[cmdk-group-heading]]:text-muted-foreground";
const itemClass =
  "flex cursor-pointer select-none items-center gap-2 rounded-md px-2 py-1.5 text-sm aria-selected:bg-accent aria-selected:text-accent-foreground [&_svg]:h-4 [&_svg]:w-4 [&_svg]:shrink-0 [&_svg]:text-muted-foreground";

/**
 * CommandPalette jumps to a metric, span or log event by name, or to a
 * page, from anywhere (⌘K / Ctrl-K). Names are searched by the catalog
 * across the three signals, as the lists search them; pages and actions
 * are matched here. It is mounted while open only, so a closed palette
 * asks the catalog nothing.
 */
export function CommandPalette({
  open,
  onOpenChange,
  onAskName,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onAskName: () => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        className="top-[12vh] max-w-xl translate-y-0 gap-0 overflow-hidden p-0 [&>button:last-child]:hidden"
        data-testid="command-palette"
      >
        <DialogTitle className="sr-only">Go to</DialogTitle>
        <DialogDescription className="sr-only">Type a metric, span or log event name, or a page, then press Enter.</DialogDescription>
        {open && <Palette close={() => onOpenChange(false)} onAskName={onAskName} />}
      </DialogContent>
    </Dialog>
  );
}

function Palette({ close, onAskName }: { close: () => void; onAskName: () => void }) {
  const navigate = useNavigate();
  const [theme, setTheme] = useThemeChoice();
  const [query, setQuery] = useState("");
  const typed = query.trim();
  // The catalog is asked 150 ms after the last keystroke, not on each one.
  const [asked, setAsked] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setAsked(typed), 150);
    return () => clearTimeout(t);
  }, [typed]);
  // Nothing typed lists the most recently seen names: what is live now.
  // TallyCat's own names follow the switch the lists follow, so that the
  // palette does not offer what the pages hide.
  const [showSelf] = useShowSelf();
  const keys = useSchemaKeys({
    signals: [Signal.METRIC, Signal.SPAN, Signal.LOG],
    query: asked,
    excludeSelfTelemetry: !showSelf,
    sort: asked ? SchemaKeySort.NAME : SchemaKeySort.LAST_SEEN,
    descending: !asked,
    pageSize: KEYS_SHOWN,
  });
  // While the next answer loads the last one stays on screen: its headings
  // follow the query it answered, not the one being asked.
  const [answered, setAnswered] = useState("");
  useEffect(() => {
    if (keys.data && !keys.isPlaceholderData) setAnswered(asked);
  }, [keys.data, keys.isPlaceholderData, asked]);
  // The last answer narrowed to what is typed now: names the catalog would
  // not return for the new text leave at once, rather than when it answers.
  const bySignal = useMemo(() => {
    const groups: Record<SignalName, string[]> = { metric: [], span: [], log: [] };
    const text = typed.toLowerCase();
    for (const k of keys.data?.schemaKeys ?? [])
      if (k.schemaKey.toLowerCase().includes(text)) groups[signalNameOf(k.signal)].push(k.schemaKey);
    return groups;
  }, [keys.data, typed]);

  const shownPages = pages.filter((p) => !typed || matches(typed, p.label, p.words, "page go to"));
  const shownThemes = typed ? themes.filter((t) => t.value !== theme && matches(typed, t.label, "theme appearance mode")) : [];
  const askName = typed && matches(typed, "your name actor who me set change");
  // A page whose name is typed comes first: that is what was meant.
  const pagesFirst = Boolean(typed) && shownPages.length > 0;
  const keyValues = (["metric", "span", "log"] as const).flatMap((signal) => bySignal[signal].map((key) => `${signal}:${key}`));
  const pageValues = shownPages.map((p) => `page:${p.label}`);
  // The first entry is chosen, so Enter goes there, and is chosen again
  // when an answer replaces the entries (the one chosen may be gone).
  const values = [
    ...(pagesFirst ? [...pageValues, ...keyValues] : [...keyValues, ...pageValues]),
    ...shownThemes.map((t) => `theme:${t.value}`),
    ...(askName ? ["actor"] : []),
  ];
  const [selected, setSelected] = useState("");
  useEffect(() => setSelected(""), [answered]);
  const current = values.includes(selected) ? selected : (values[0] ?? "");

  const go = (run: () => unknown) => {
    close();
    void run();
  };

  const keyGroups = (["metric", "span", "log"] as const).map((signal) =>
    bySignal[signal].length === 0 ? null : (
      <Command.Group
        key={signal}
        heading={answered ? signalWords[signal].title : `Recently seen ${signalWords[signal].keys}`}
        className={groupClass}
      >
        {bySignal[signal].map((key) => (
          <Item
            key={key}
            value={`${signal}:${key}`}
            onSelect={() => go(() => navigate({ to: "/metrics/$key", params: { key }, search: signalSearch(signal) }))}
            testId="palette-key"
          >
            <Activity aria-hidden />
            <span className="truncate font-mono text-[13px]">{key}</span>
            <span className="ml-auto shrink-0 text-xs text-muted-foreground">{signalWords[signal].key}</span>
          </Item>
        ))}
      </Command.Group>
    ),
  );
  const pageGroup = shownPages.length > 0 && (
    <Command.Group heading="Pages" className={groupClass}>
      {shownPages.map(({ label, to, signal, Icon }) => (
        <Item key={label} value={`page:${label}`} onSelect={() => go(() => navigate({ to, search: signal ? signalSearch(signal) : {} }))}>
          <Icon aria-hidden />
          {label}
        </Item>
      ))}
    </Command.Group>
  );

  return (
    <Command shouldFilter={false} loop label="Go to a metric, span, log event or page" value={current} onValueChange={setSelected}>
      <div className="flex items-center gap-2 border-b px-3">
        <Search className="h-4 w-4 shrink-0 text-muted-foreground" aria-hidden />
        <Command.Input
          value={query}
          onValueChange={setQuery}
          placeholder="Go to a metric, span, log event or page…"
          className="h-12 w-full bg-transparent text-sm outline-none placeholder:text-muted-foreground"
        />
      </div>
      <Command.List className="max-h-[min(60vh,420px)] overflow-y-auto overscroll-contain">
        {keys.isFetching && (
          <Command.Loading>
            <p className="px-3 pt-2 text-xs text-muted-foreground">Searching the catalog…</p>
          </Command.Loading>
        )}
        <Command.Empty className="px-3 py-6 text-center text-sm text-muted-foreground">
          {keys.isFetching ? "Searching the catalog…" : `Nothing is named “${typed}”.`}
        </Command.Empty>
        {pagesFirst && pageGroup}
        {keyGroups}
        {!pagesFirst && pageGroup}
        {(shownThemes.length > 0 || askName) && (
          <Command.Group heading="Settings" className={groupClass}>
            {shownThemes.map(({ value, label, Icon }) => (
              <Item key={value} value={`theme:${value}`} onSelect={() => go(() => setTheme(value))}>
                <Icon aria-hidden />
                {label}
              </Item>
            ))}
            {askName && (
              <Item value="actor" onSelect={() => go(onAskName)}>
                <UserRound aria-hidden />
                Set your name…
              </Item>
            )}
          </Command.Group>
        )}
      </Command.List>
      <p className="border-t px-3 py-2 text-xs text-muted-foreground">
        <kbd className="font-sans">↑↓</kbd> to choose · <kbd className="font-sans">Enter</kbd> to go · <kbd className="font-sans">Esc</kbd>{" "}
        to close · <kbd className="font-sans">/</kbd> searches the list on a list page
      </p>
    </Command>
  );
}

function Item({ value, onSelect, testId, children }: { value: string; onSelect: () => void; testId?: string; children: ReactNode }) {
  return (
    <Command.Item value={value} onSelect={onSelect} className={itemClass} data-testid={testId}>
      {children}
    </Command.Item>
  );
}
