/** Deletes the engine's files of runs being deleted (see StepforceRunCleanup). */
trigger StepforceRunCleanupTrigger on Stepforce_Run__c(before delete) {
  StepforceRunCleanup.beforeDelete(Trigger.old);
}
