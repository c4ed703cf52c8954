import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { TableHead } from "@/components/ui/table";
import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import type { MetricsSearch } from "./search";

type Props = {
  label: string;
  sort: SchemaKeySort;
  search: MetricsSearch;
  onSort: (sort: SchemaKeySort, descending: boolean) => void;
  className?: string;
  title?: string;
};

/**
 * SortHeader is a column header that sorts the list on the server: the
 * first click sorts names A to Z and figures largest first, the next the
 * other way.
 */
export function SortHeader({ label, sort, search, onSort, className, title }: Props) {
  const sorted = search.sort ?? SchemaKeySort.NAME;
  const active = sorted === sort || (sort === SchemaKeySort.NAME && sorted === SchemaKeySort.UNSPECIFIED);
  const Icon = active ? (search.desc ? ArrowDown : ArrowUp) : ArrowUpDown;
  return (
    <TableHead className={className} aria-sort={active ? (search.desc ? "descending" : "ascending") : "none"} title={title}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-foreground"
        onClick={() => onSort(sort, active ? !search.desc : sort !== SchemaKeySort.NAME)}
      >
        {label} <Icon className={active ? "h-3.5 w-3.5" : "h-3.5 w-3.5 opacity-40"} />
      </button>
    </TableHead>
  );
}
