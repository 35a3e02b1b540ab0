/** Stack files as the Pulumi CLI hands them to the program; the reader itself lives in config/. */
export {
    PROJECT_ROOT as ROOT,
    ProjectFile,
    projectFile,
    stackNames,
    stackFileConfig,
    stackConfig,
    rawProjectConfig,
    loadStackFile,
} from "../../config/stack-file";
