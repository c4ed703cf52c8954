import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { create } from "@bufbuild/protobuf";
import { ExampleValuesState, FieldSchema, FieldSource, ValueType, Window } from "@/gen/tallycat/v1/schema_pb";
import { DistinctValues, ExampleValues } from "./example-values";

const field = (exampleValuesState: ExampleValuesState, distinctEstimate = 0n) =>
  create(FieldSchema, { name: "k", source: FieldSource.DATA_POINT, valueType: ValueType.STRING, exampleValuesState, distinctEstimate });

describe("ExampleValues", () => {
  it.each([
    [ExampleValuesState.TOO_MANY, "too many distinct values to list"],
    [ExampleValuesState.WITHHELD, "values not kept (privacy)"],
    [ExampleValuesState.NOT_SCALAR, "not kept: not a scalar"],
    [ExampleValuesState.NOT_DATA_POINT, "counted, not listed"],
    [ExampleValuesState.NOT_COUNTED, "not counted"],
    [ExampleValuesState.KEPT, "none in this window"],
  ])("says why state %s lists no values", (state, text) => {
    render(<ExampleValues field={field(state)} />);
    expect(screen.getByTestId("example-values-note")).toHaveTextContent(text);
  });

  it("shows a dash where the catalog has not counted the field", () => {
    render(<ExampleValues field={field(ExampleValuesState.UNSPECIFIED)} />);
    expect(screen.getByText("—")).toBeInTheDocument();
  });
});

describe("DistinctValues", () => {
  it("shows the estimate for people and in full on hover", () => {
    render(<DistinctValues field={field(ExampleValuesState.TOO_MANY, 123_456n)} window={Window.LAST_DAY} />);
    const n = screen.getByTestId("distinct-values");
    expect(n).toHaveTextContent("123k");
    expect(n).toHaveAttribute("title", "≈ 123,456 distinct values over the last 24 hours");
  });

  it("says a field whose values are never counted is not counted, not that it has none", () => {
    render(<DistinctValues field={field(ExampleValuesState.NOT_COUNTED)} window={Window.UNSPECIFIED} />);
    expect(screen.getByTestId("not-counted")).toHaveTextContent("not counted");
    expect(screen.queryByTestId("distinct-values")).not.toBeInTheDocument();
  });

  it("shows a dash before the field is counted", () => {
    render(<DistinctValues field={field(ExampleValuesState.UNSPECIFIED)} window={Window.UNSPECIFIED} />);
    expect(screen.queryByTestId("distinct-values")).not.toBeInTheDocument();
  });
});
