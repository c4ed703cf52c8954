import { ChevronLeft, ChevronRight } from "lucide-react";
import { Button } from "@/components/ui/button";

type PagerProps = {
  page: number;
  pageSize: number;
  shown: number;
  total: number;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
};

/** Pager walks the API's page tokens forward and back. */
export function Pager({ page, pageSize, shown, total, hasNext, onPrevious, onNext }: PagerProps) {
  if (page === 1 && !hasNext) return null;
  const first = (page - 1) * pageSize + 1;
  return (
    <div className="flex items-center justify-end gap-3 text-sm text-muted-foreground">
      <span>
        {first.toLocaleString("en")}–{(first + shown - 1).toLocaleString("en")} of {total.toLocaleString("en")}
      </span>
      <Button variant="outline" size="sm" onClick={onPrevious} disabled={page === 1}>
        <ChevronLeft /> Previous
      </Button>
      <Button variant="outline" size="sm" onClick={onNext} disabled={!hasNext}>
        Next <ChevronRight />
      </Button>
    </div>
  );
}
