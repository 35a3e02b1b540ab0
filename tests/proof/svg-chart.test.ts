import { expect } from "chai";
import { renderSvg } from "../../proof/svg-chart";

describe("renderSvg", () => {
    it("renders a layered line chart with its title, axis titles and a rule, headless", async () => {
        const svg = await renderSvg({
            title: "desired tasks",
            data: { values: [{ t: 0, v: 1 }, { t: 60, v: 3 }, { t: 120, v: 2 }] },
            layer: [
                { mark: "line", encoding: { x: { field: "t", type: "quantitative", title: "seconds" }, y: { field: "v", type: "quantitative", title: "tasks" } } },
                { mark: { type: "rule", color: "red" }, encoding: { y: { datum: 2.5 } } },
            ],
        });
        expect(svg.startsWith("<svg")).to.equal(true);
        expect(svg).to.contain("desired tasks");
        expect(svg).to.contain(">seconds<");
        expect(svg).to.contain(">tasks<");
        expect(svg).to.match(/class="mark-rule role-mark/);
        expect(svg).to.match(/class="mark-line role-mark/);
    });
});
