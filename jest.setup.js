// cdktf's toHaveResource / toHaveResourceWithProperties / toBeValidTerraform matchers.
const { Testing } = require("cdktf");
Testing.setupJest();
